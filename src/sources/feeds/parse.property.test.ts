// Feed ingestion under arbitrary input: items with a title or a link, or a FeedError — never a crash or a hang.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadGlossary } from '../../domain/glossary.js';
import { loadTopics } from '../../domain/topics.js';
import { parseFeedText } from './parse.js';
import { FeedError } from './types.js';

const topics = loadTopics(loadGlossary());
const firstSeen = new Date('2026-11-29T00:00:00Z');

const fragment = fc.oneof(
  fc.constantFrom(
    '<rss version="2.0">',
    '<channel>',
    '<item>',
    '</item>',
    '<title>',
    '</title>',
    '<link>',
    '</link>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    '<entry>',
    '</entry>',
    '<![CDATA[',
    ']]>',
    '&amp;',
    '&',
    '<pubDate>',
    '稀土',
    '\u0000',
    '<?xml version="1.0"?>',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

async function outcome(xml: string): Promise<'items' | 'error'> {
  try {
    const parsed = await parseFeedText(xml, { feedId: 'fuzz', firstSeen, topics });
    for (const item of parsed.items) {
      expect(item.title !== '' || item.link !== '').toBe(true);
      expect(Number.isNaN(Date.parse(item.published))).toBe(false);
      expect(item.summary.length).toBeLessThanOrEqual(501);
    }
    return 'items';
  } catch (err) {
    expect(err).toBeInstanceOf(FeedError);
    return 'error';
  }
}

describe('parseFeedText properties', () => {
  it('turns arbitrary mixtures of feed markup into items or a FeedError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fragment, { maxLength: 40 }), async (parts) => {
        await outcome(parts.join(''));
      }),
      { numRuns: 200 },
    );
  });

  it('survives a valid feed truncated anywhere', async () => {
    const feed = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://example.org/</link>${Array.from(
      { length: 5 },
      (_, i) => `<item><title>稀土 item ${i}</title><link>https://example.org/${i}</link><description>&lt;b&gt;x&lt;/b&gt;</description></item>`,
    ).join('')}</channel></rss>`;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: feed.length }), async (cut) => {
        await outcome(feed.slice(0, cut));
      }),
      { numRuns: 100 },
    );
  });
});
