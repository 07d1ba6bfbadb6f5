// The console adapter: prints messages to a stream (the terminal) when no chat platform is configured.
import type { Message } from '../../src/alerts/message.js';
import { renderText } from './render.js';

export interface ConsoleAdapter {
  send(message: Message): void;
}

export function consoleAdapter(stream: NodeJS.WritableStream = process.stdout): ConsoleAdapter {
  return {
    send(message) {
      stream.write(`${renderText(message)}\n\n`);
    },
  };
}
