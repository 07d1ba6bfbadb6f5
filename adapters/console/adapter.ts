// The console delivery adapter: prints each message (plain-text rendering) to a stream, headed by its destination.
// Message ids are `console-<n>`, counted per adapter (they restart with the process).
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError, type DeliveryAdapter, type Destination } from '../../src/alerts/types.js';
import { renderText, terminalSafe } from './render.js';

export function createConsoleDeliveryAdapter(stream: NodeJS.WritableStream = process.stdout): DeliveryAdapter {
  let n = 0;
  return {
    platform: 'console',
    async send(destination: Destination, message: Message) {
      if (destination.platform !== 'console') throw new DeliveryError(`the console adapter cannot send to ${destination.platform}`, false);
      n += 1;
      stream.write(`── console:${terminalSafe(destination.address)} ──\n${renderText(message)}\n\n`);
      return { messageId: `console-${n}` };
    },
  };
}
