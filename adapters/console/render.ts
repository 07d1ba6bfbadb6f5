// Renders a platform-neutral message as plain text for a terminal.
import type { Message } from '../../src/alerts/message.js';

const INDENT = '  ';

/** Strips control characters so scraped text cannot move the cursor or recolour the terminal. */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

export function renderText(message: Message): string {
  const out: string[] = [message.title];
  if (message.subtitle) out.push(message.subtitle);
  for (const link of message.links) out.push(`${link.label}: ${link.url}`);
  for (const section of message.sections) {
    out.push('', section.heading);
    for (const item of section.items) {
      const gloss = item.gloss ? ` (gloss: ${item.gloss})` : '';
      out.push(`${INDENT}${item.code} ${item.text}${gloss}`);
      for (const d of item.details) out.push(`${INDENT}${' '.repeat(item.code.length + 1)}${d}`);
    }
  }
  if (message.omitted > 0) out.push(`${INDENT}… and ${message.omitted} more change${message.omitted === 1 ? '' : 's'}`);
  if (message.context.length > 0) out.push('', message.context.join(' · '));
  return terminalSafe(out.join('\n'));
}
