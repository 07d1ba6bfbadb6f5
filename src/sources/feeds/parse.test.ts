import { describe, expect, it } from 'vitest';
import { loadGlossary } from '../../domain/glossary.js';
import { loadTopics } from '../../domain/topics.js';
import { newsItemId } from './dedupe.js';
import { parseFeedText } from './parse.js';
import { FeedError } from './types.js';

const topics = loadTopics(loadGlossary());
const firstSeen = new Date('2026-03-01T12:00:00.000Z');
const opts = { feedId: 'test', firstSeen, topics };

async function feedError(xml: string): Promise<FeedError> {
  try {
    await parseFeedText(xml, opts);
  } catch (error) {
    if (error instanceof FeedError) return error;
    throw error;
  }
  throw new Error('expected a FeedError');
}

const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>  Mining &amp; Metals  </title>
  <link>https://news.example.com/</link>
  <item>
    <title><![CDATA[  China restricts <b>rare earth</b> magnet exports &amp; more  ]]></title>
    <link>/2026/02/28/china-restricts/?utm_source=rss&amp;utm_medium=rss</link>
    <guid isPermaLink="false">https://news.example.com/?p=101</guid>
    <pubDate>Sat, 28 Feb 2026 09:30:00 +0000</pubDate>
    <description><![CDATA[<p>Beijing&nbsp;said on <em>Saturday</em> it would tighten controls.</p><script>track()</script><p>More&hellip;</p>]]></description>
    <category>Rare Earths</category>
  </item>
  <item>
    <title>Item without a date</title>
    <link>https://news.example.com/no-date</link>
  </item>
  <item>
    <title>Item with a broken date</title>
    <link>https://news.example.com/bad-date</link>
    <pubDate>the day after tomorrow</pubDate>
  </item>
  <item>
    <title>Item from the future</title>
    <link>https://news.example.com/future</link>
    <pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>
  </item>
  <item>
    <description>Neither a title nor a link</description>
  </item>
  <item>
    <title>GUID as permalink</title>
    <guid>https://news.example.com/permalink</guid>
    <dc:date>2026-02-27T08:00:00Z</dc:date>
  </item>
  <item>
    <title>Script link</title>
    <link>javascript:alert(1)</link>
  </item>
</channel>
</rss>`;

describe('parseFeedText: RSS 2.0', () => {
  it('normalises the feed and its items', async () => {
    const parsed = await parseFeedText(RSS2, opts);
    expect(parsed.feed).toEqual({ title: 'Mining & Metals', link: 'https://news.example.com/' });
    expect(parsed.items.map((i) => i.title)).toEqual([
      'China restricts rare earth magnet exports & more',
      'Item without a date',
      'Item with a broken date',
      'Item from the future',
      'GUID as permalink',
      'Script link',
    ]);
    const first = parsed.items[0]!;
    expect(first).toEqual({
      id: newsItemId({ feedId: 'test', guid: 'https://news.example.com/?p=101', link: first.link, title: first.title }),
      feedId: 'test',
      title: 'China restricts rare earth magnet exports & more',
      link: 'https://news.example.com/2026/02/28/china-restricts/?utm_source=rss&utm_medium=rss',
      guid: 'https://news.example.com/?p=101',
      published: '2026-02-28T09:30:00.000Z',
      publishedKnown: true,
      summary: 'Beijing said on Saturday it would tighten controls. More…',
      topics: ['magnets', 'rare-earths'],
    });
  });

  it('uses the first-seen time for missing, invalid and future dates', async () => {
    const { items } = await parseFeedText(RSS2, opts);
    for (const title of ['Item without a date', 'Item with a broken date', 'Item from the future']) {
      const item = items.find((i) => i.title === title)!;
      expect(item.published).toBe(firstSeen.toISOString());
      expect(item.publishedKnown).toBe(false);
    }
    expect(items.find((i) => i.title === 'GUID as permalink')).toMatchObject({ published: '2026-02-27T08:00:00.000Z', publishedKnown: true });
  });

  it('skips items without a title and a link into problems, and drops links that are not http(s)', async () => {
    const { items, problems } = await parseFeedText(RSS2, opts);
    expect(problems).toEqual(['item 5: skipped, no title and no link', 'item 7: link "javascript:alert(1)" is not an http(s) URL: ignored']);
    expect(items.find((i) => i.title === 'Script link')?.link).toBe('');
    expect(items.find((i) => i.title === 'GUID as permalink')?.link).toBe('https://news.example.com/permalink');
  });

  it('bounds summaries (default 500 characters, or maxSummary)', async () => {
    const long = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const xml = `<rss version="2.0"><channel><title>t</title><item><title>x</title><description>&lt;p&gt;${long}&lt;/p&gt;</description></item></channel></rss>`;
    const [item] = (await parseFeedText(xml, opts)).items;
    expect(Array.from(item!.summary).length).toBeLessThanOrEqual(500);
    expect(item!.summary.endsWith('…')).toBe(true);
    expect(item!.summary).toMatch(/^word0 word1 /);
    expect(item!.summary).toMatch(/ word\d+…$/);
    const [short] = (await parseFeedText(xml, { ...opts, maxSummary: 20 })).items;
    expect(short!.summary).toBe('word0 word1 word2…');
  });

  it('resolves relative links against the fetch URL when the feed has no link, and a relative feed link too', async () => {
    const noLink = `<rss version="2.0"><channel><title>t</title><item><title>a</title><link>a.html</link></item></channel></rss>`;
    expect((await parseFeedText(noLink, { ...opts, url: 'https://host.example/feeds/rss.xml' })).items[0]!.link).toBe('https://host.example/feeds/a.html');
    const relativeFeedLink = `<rss version="2.0"><channel><title>t</title><link>/news/</link><item><title>a</title><link>a.html</link></item></channel></rss>`;
    const parsed = await parseFeedText(relativeFeedLink, { ...opts, url: 'https://host.example/feeds/rss.xml' });
    expect(parsed.feed.link).toBe('https://host.example/news/');
    expect(parsed.items[0]!.link).toBe('https://host.example/news/a.html');
    const unresolvable = await parseFeedText(noLink, opts);
    expect(unresolvable.items[0]!.link).toBe('');
    expect(unresolvable.problems).toEqual(['item 1: link "a.html" is not an http(s) URL: ignored']);
  });
});

describe('parseFeedText: other formats', () => {
  it('reads RSS 0.91, and <rss> without a version as RSS 2.0', async () => {
    const rss091 = `<rss version="0.91"><channel><title>Old</title><link>http://old.example/</link><item><title>One</title><link>http://old.example/1</link><description>First &lt;i&gt;item&lt;/i&gt;</description></item></channel></rss>`;
    const parsed = await parseFeedText(rss091, opts);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.items[0]).toMatchObject({ title: 'One', link: 'http://old.example/1', summary: 'First item', publishedKnown: false });
    const noVersion = rss091.replace(' version="0.91"', '');
    expect((await parseFeedText(noVersion, opts)).items[0]!.title).toBe('One');
  });

  it('reads RSS 1.0 (RDF) with dc:date', async () => {
    const rdf = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://rdf.example/"><title>RDF feed</title><link>http://rdf.example/</link></channel>
  <item rdf:about="http://rdf.example/1"><title>稀土出口管制</title><link>http://rdf.example/1</link><dc:date>2026-02-01T10:00:00+08:00</dc:date></item>
</rdf:RDF>`;
    const parsed = await parseFeedText(rdf, opts);
    expect(parsed.feed).toEqual({ title: 'RDF feed', link: 'http://rdf.example/' });
    expect(parsed.items[0]).toMatchObject({ title: '稀土出口管制', published: '2026-02-01T02:00:00.000Z', publishedKnown: true });
    expect(parsed.items[0]!.topics).toEqual(['export-controls', 'rare-earths']);
  });

  it('reads Atom; one entry with a bad date or a link without attributes does not lose the others', async () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">Atom &lt;b&gt;feed&lt;/b&gt;</title>
  <link href="https://atom.example/" rel="alternate"/>
  <link href="https://atom.example/feed.atom" rel="self"/>
  <entry><id>urn:uuid:1</id><title>Good entry</title><link rel="alternate" href="/posts/1"/><updated>2026-02-10T10:00:00Z</updated>
    <summary type="html">&lt;p&gt;Gallium &amp;amp; germanium&lt;/p&gt;</summary></entry>
  <entry><id>urn:uuid:2</id><title>Bad date</title><link href="https://atom.example/posts/2"/><published>not a date</published></entry>
  <entry><id>urn:uuid:3</id><title>Text link</title><link>https://atom.example/posts/3</link><published>2026-02-11T10:00:00</published></entry>
  <entry><id>urn:uuid:4</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">XHTML title</div></title><link href="https://atom.example/posts/4"/></entry>
  <entry><id>urn:uuid:5</id></entry>
</feed>`;
    const parsed = await parseFeedText(atom, opts);
    expect(parsed.feed).toEqual({ title: 'Atom feed', link: 'https://atom.example/' });
    expect(parsed.items.map((i) => [i.guid, i.title, i.link, i.published, i.publishedKnown])).toEqual([
      ['urn:uuid:1', 'Good entry', 'https://atom.example/posts/1', '2026-02-10T10:00:00.000Z', true],
      ['urn:uuid:2', 'Bad date', 'https://atom.example/posts/2', firstSeen.toISOString(), false],
      ['urn:uuid:3', 'Text link', 'https://atom.example/posts/3', '2026-02-11T10:00:00.000Z', true],
      ['urn:uuid:4', 'XHTML title', 'https://atom.example/posts/4', firstSeen.toISOString(), false],
    ]);
    expect(parsed.items[0]!.summary).toBe('Gallium & germanium');
    expect(parsed.items[0]!.topics).toEqual(['gallium-germanium']);
    expect(parsed.problems).toEqual(['item 5: skipped, no title and no link']);
  });
});

describe('parseFeedText: broken documents', () => {
  it('reads a document with a bare "&" leniently, noting it', async () => {
    const xml = `<rss version="2.0"><channel><title>T</title><link>http://e.example/</link>
      <item><title>Tom & Jerry</title><link>http://e.example/1?a=1&b=2</link></item>
      <item><title>Second</title><link>http://e.example/2</link></item></channel></rss>`;
    const parsed = await parseFeedText(xml, opts);
    expect(parsed.items.map((i) => [i.title, i.link])).toEqual([
      ['Tom & Jerry', 'http://e.example/1?a=1&b=2'],
      ['Second', 'http://e.example/2'],
    ]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatch(/^not well-formed XML \(Invalid character in entity name.*\): read leniently/);
  });

  it('throws FeedError with a reason and the parser message', async () => {
    expect(await feedError('')).toMatchObject({ reason: 'empty' });
    expect(await feedError('  \n ')).toMatchObject({ reason: 'empty' });
    const html = await feedError('<html><head><title>Moved</title></head><body>x</body></html>');
    expect(html.reason).toBe('not-a-feed');
    expect(html.message).toMatch(/not an RSS or Atom feed \(rss-parser: Feed not recognized as RSS 1 or 2\.\); the document starts "<html>/);
    const page = await feedError('<!DOCTYPE html><html><body>a<br>b &copy; <img src=x></body></html>');
    expect(page.reason).toBe('not-a-feed');
    const text = await feedError('hello world');
    expect(text.reason).toBe('not-xml');
    expect(text.message).toMatch(/not well-formed XML \(rss-parser: Non-whitespace before first tag/);
    const truncated = await feedError('<rss version="2.0"><channel><title>T</title><item><title>A</title>');
    expect(truncated.reason).toBe('not-xml');
    expect(truncated.message).toMatch(/Unclosed root tag/);
    const noChannel = await feedError('<rss version="2.0"></rss>');
    expect(noChannel.reason).toBe('malformed');
    expect(noChannel.message).toMatch(/rss-parser: Cannot read properties of undefined/);
    expect(noChannel).toBeInstanceOf(Error);
    expect(noChannel.name).toBe('FeedError');
  });

  it('an empty channel is an empty feed, not an error', async () => {
    const parsed = await parseFeedText('<rss version="2.0"><channel><title>Quiet</title></channel></rss>', opts);
    expect(parsed).toEqual({ feed: { title: 'Quiet', link: '' }, items: [], problems: [] });
  });
});
