// The real-world feed corpus (../shared/corpus/feeds/rss-parser/, from rss-parser's test inputs): every
// file goes through parseFeedText and gives either items that each have a title or a link, or a clear
// FeedError. The observed outcome of each file is pinned below so a regression shows. Bytes are decoded
// the way the HTTP client decodes an answer without a charset header (BOM, XML declaration, UTF-8);
// the Latin-1 files also go through the real client from a local server, with and without a header.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGlossary } from '../src/domain/glossary.js';
import { loadTopics, topicIds } from '../src/domain/topics.js';
import { fetchFeed } from '../src/sources/feeds/fetch.js';
import { parseFeedText } from '../src/sources/feeds/parse.js';
import { FeedError, type ParsedFeed } from '../src/sources/feeds/types.js';
import { decodeBody } from '../src/sources/http/charset.js';
import { createHttpClient } from '../src/sources/http/client.js';
import { SourceError } from '../src/sources/http/types.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const corpusDir = join(repoRoot, '..', 'shared', 'corpus', 'feeds', 'rss-parser');
const present = existsSync(corpusDir);
if (!present) console.warn(`feeds corpus not found at ${corpusDir}: skipping the corpus tests`);

const topics = loadTopics(loadGlossary());
const known = new Set(topicIds(topics));
const firstSeen = new Date('2026-01-01T00:00:00.000Z');

/** items: parsed items; dated: items with a usable date; problems: entries in `problems`. */
type Outcome = { items: number; dated: number; problems: number; title?: string } | { error: FeedError['reason'] };

const EXPECTED: Record<string, Outcome> = {
  LICENSE: { error: 'not-xml' },
  'atom-customfields.atom': { items: 15, dated: 15, problems: 0, title: 'L2inc' },
  'content-encoded.rss': { items: 7, dated: 7, problems: 0, title: 'Food in Invironment on Medium' },
  'craigslist.rss': { items: 25, dated: 25, problems: 0 },
  'customfields.rss': { items: 15, dated: 15, problems: 0, title: "Varthabharathi : Kanrnataka's Leading Kannada News Portal" },
  'encoding.rss': { items: 40, dated: 40, problems: 0, title: 'Jornal de Notícias - Últimas Notícias' },
  'feedburner.atom': { items: 25, dated: 25, problems: 0, title: 'Google Ads Developer Blog' },
  'guardian.rss': { items: 55, dated: 55, problems: 0, title: 'The Guardian' },
  'gulp-atom.atom': { items: 10, dated: 10, problems: 0, title: 'Release notes from gulp' },
  'heise.atom': { items: 15, dated: 15, problems: 0, title: 'heise developer neueste Meldungen' },
  'heraldsun.rss': { items: 2, dated: 0, problems: 0, title: 'RSS0.92 Example' },
  'incomplete-fields.atom': { items: 0, dated: 0, problems: 1, title: '' },
  'instant-article.rss': { items: 1, dated: 1, problems: 0 },
  'item-itunes-episodeType.rss': { items: 1, dated: 1, problems: 0 },
  'itunes-category.rss': { items: 1, dated: 1, problems: 0 },
  'itunes-href.rss': { items: 10, dated: 10, problems: 0 },
  'itunes-keywords-array.rss': { items: 1, dated: 1, problems: 0 },
  'itunes-keywords-astext.rss': { items: 32, dated: 32, problems: 0 },
  'itunes-keywords.rss': { items: 1, dated: 1, problems: 0 },
  'itunes-missing-image.rss': { items: 131, dated: 131, problems: 0 },
  'many-links.rss': { items: 25, dated: 25, problems: 0, title: 'Google Testing Blog' },
  'missing-fields.atom': { items: 0, dated: 0, problems: 1, title: '' },
  'narro.rss': { items: 1, dated: 1, problems: 0 },
  'pagination-links.rss': { items: 1, dated: 1, problems: 0 },
  'reddit-atom.rss': { items: 24, dated: 24, problems: 0 },
  'reddit-home.rss': { items: 24, dated: 24, problems: 0 },
  'reddit.rss': { items: 24, dated: 24, problems: 0, title: 'reddit: the front page of the internet' },
  'rss-1.rss': { items: 69, dated: 69, problems: 0, title: 'Science twis' },
  'unrecognized.rss': { error: 'not-a-feed' },
  // No charset anywhere and Latin-1 bytes: decoded as UTF-8 with replacement characters (the HTTP client
  // reports that as mojibake, see below); its Portuguese dates ("Seg, 24 Set 2018") do not parse.
  'uolNoticias.rss': { items: 15, dated: 0, problems: 0, title: 'UOL Noticias' },
  'xml2js-options.rss': { items: 69, dated: 69, problems: 0, title: 'Science twis' },
};

async function outcomeOf(file: string): Promise<{ parsed: ParsedFeed } | { error: unknown }> {
  const { text } = decodeBody(readFileSync(join(corpusDir, file)), undefined);
  try {
    return { parsed: await parseFeedText(text, { feedId: file, firstSeen, topics }) };
  } catch (error) {
    return { error };
  }
}

describe.skipIf(!present)('feed corpus: every file through parseFeedText', () => {
  const files = present ? readdirSync(corpusDir).sort() : [];

  it('has an expected outcome for every file, and a file for every expected outcome', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files.filter((f) => !(f in EXPECTED)).map((f) => `${f}: new in the corpus, add its expected outcome`)).toEqual([]);
    expect(Object.keys(EXPECTED).filter((f) => !files.includes(f))).toEqual([]);
  });

  it.each(files)('%s', async (file) => {
    const expected = EXPECTED[file];
    const result = await outcomeOf(file);
    if (expected === undefined) throw new Error(`${file}: no expected outcome`);

    if ('error' in expected) {
      expect('error' in result ? result.error : result.parsed).toBeInstanceOf(FeedError);
      const error = (result as { error: FeedError }).error;
      expect(error.reason).toBe(expected.error);
      expect(error.message.length).toBeGreaterThan(20);
      return;
    }

    if ('error' in result) throw result.error;
    const { parsed } = result;
    expect({
      items: parsed.items.length,
      dated: parsed.items.filter((i) => i.publishedKnown).length,
      problems: parsed.problems.length,
    }).toEqual({ items: expected.items, dated: expected.dated, problems: expected.problems });
    if (expected.title !== undefined) expect(parsed.feed.title).toBe(expected.title);

    for (const item of parsed.items) {
      expect(item.title !== '' || item.link !== '', `${file}: ${item.id}`).toBe(true);
      if (item.link !== '') expect(item.link).toMatch(/^https?:\/\//);
      expect(item.title).toBe(item.title.trim());
      expect(item.title).not.toMatch(/<\/?[a-z][^>]*>|&(?:amp|lt|gt|quot|#\d+);/i);
      expect(Array.from(item.summary).length).toBeLessThanOrEqual(500);
      expect(item.summary).not.toMatch(/<\/?(?:p|div|a|img|br|span)\b/i);
      expect(new Date(item.published).toISOString()).toBe(item.published);
      if (!item.publishedKnown) expect(item.published).toBe(firstSeen.toISOString());
      expect(item.id).toMatch(/^[0-9a-f]{64}$/);
      expect(item.feedId).toBe(file);
      expect(item.topics).toEqual([...item.topics].sort());
      for (const topic of item.topics) expect(known.has(topic)).toBe(true);
    }
  });

  it('reads the Latin-1 feed correctly from its XML declaration', async () => {
    const result = await outcomeOf('encoding.rss');
    if ('error' in result) throw result.error;
    expect(result.parsed.items[0]).toMatchObject({
      title: 'Mãe de utente é a nova presidente da Raríssimas',
      published: '2018-01-03T13:47:00.000Z',
      publishedKnown: true,
    });
    expect(result.parsed.items.every((i) => !i.title.includes('\uFFFD') && !i.summary.includes('\uFFFD'))).toBe(true);
  });
});

describe.skipIf(!present)('feed corpus through the real HTTP client', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const file = url.pathname.slice(1);
      if (!/^[\w.-]+$/.test(file) || !existsSync(join(corpusDir, file))) {
        res.writeHead(404);
        res.end();
        return;
      }
      const charset = url.searchParams.get('charset');
      res.writeHead(200, { 'Content-Type': charset ? `application/rss+xml; charset=${charset}` : 'application/rss+xml' });
      res.end(readFileSync(join(corpusDir, file)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const http = () => createHttpClient({ userAgent: 'ExportWatch-test', perHostDelayMs: 0, retries: 0 });

  it.each([
    ['without a charset header (the XML declaration says ISO-8859-1)', ''],
    ['with a charset header', '?charset=ISO-8859-1'],
  ])('decodes encoding.rss %s', async (_label, query) => {
    const parsed = await fetchFeed(http(), { id: 'jn', url: `${base}/encoding.rss${query}` }, { now: firstSeen, topics });
    expect(parsed?.feed.title).toBe('Jornal de Notícias - Últimas Notícias');
    expect(parsed?.items).toHaveLength(40);
    expect(parsed?.items[0]?.title).toBe('Mãe de utente é a nova presidente da Raríssimas');
    expect(parsed?.items.some((i) => /[ãçéíóú]/.test(i.title))).toBe(true);
    expect(parsed?.items.every((i) => !`${i.title} ${i.summary}`.includes('\uFFFD'))).toBe(true);
  });

  it('reports an undeclared Latin-1 feed as mojibake, and decodes it when the header names the charset', async () => {
    const error = await fetchFeed(http(), { id: 'uol', url: `${base}/uolNoticias.rss` }, { now: firstSeen, topics }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).reason).toBe('mojibake');
    const parsed = await fetchFeed(http(), { id: 'uol', url: `${base}/uolNoticias.rss?charset=iso-8859-1` }, { now: firstSeen, topics });
    expect(parsed?.items).toHaveLength(15);
    expect(parsed?.items[0]?.title).toBe('Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno');
  });
});
