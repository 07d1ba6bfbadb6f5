import { describe, expect, it } from 'vitest';
import type { Message } from '../../alerts/message.js';
import { boundMessage, cleanChatText, clip, echo } from './text.js';

const item = (n: number) => ({ code: `C${n}`, text: `item ${n}`, gloss: null, details: [] });

function message(overrides: Partial<Message>): Message {
  return { title: 'T', severity: 'info', subtitle: null, links: [], sections: [], omitted: 0, context: [], ...overrides };
}

describe('text bounds', () => {
  it('cleans chat text: invisible characters removed, breaks and full-width spaces as spaces', () => {
    expect(cleanChatText('\u200bcheck\u3000稀土\r\n\u2028NdFeB\u0000 ')).toBe('check 稀土 NdFeB');
    expect(cleanChatText('a\ud800b')).toBe('ab');
  });

  it('clips by characters and echoes at most 100', () => {
    expect(clip('𠀀'.repeat(10), 5)).toBe('𠀀𠀀𠀀𠀀…');
    expect([...echo('x'.repeat(500))]).toHaveLength(100);
    expect([...echo('x'.repeat(500), 400)]).toHaveLength(100);
  });

  it('caps sections at 15 items plus one "… and N more", counting a composer’s own summary line', () => {
    const own = [...Array.from({ length: 25 }, (_, i) => item(i)), { code: '…', text: 'and 7 more', gloss: null, details: [] }];
    const bounded = boundMessage(message({ sections: [{ heading: 'H', items: own }] }));
    expect(bounded.sections[0]!.items).toHaveLength(16);
    expect(bounded.sections[0]!.items.at(-1)).toEqual({ code: '…', text: 'and 17 more', gloss: null, details: [] });
    const exact = boundMessage(message({ sections: [{ heading: 'H', items: Array.from({ length: 16 }, (_, i) => item(i)) }] }));
    expect(exact.sections[0]!.items.map((i) => i.code)).toEqual(Array.from({ length: 16 }, (_, i) => `C${i}`));
  });

  it('keeps only http(s) links, a non-empty title and the last context line', () => {
    const bounded = boundMessage(
      message({
        title: '\u200b',
        links: [
          { label: 'ok', url: 'https://example.org/a' },
          { label: 'js', url: 'javascript:alert(1)' },
          { label: 'spaces', url: 'https://example.org/a b' },
        ],
        context: [...Array.from({ length: 12 }, (_, i) => `line ${i}`), 'No match is not a clearance'],
      }),
    );
    expect(bounded.title).toBe('ExportWatch');
    expect(bounded.links).toEqual([{ label: 'ok', url: 'https://example.org/a' }]);
    expect(bounded.context).toHaveLength(8);
    expect(bounded.context.at(-1)).toBe('No match is not a clearance');
  });
});
