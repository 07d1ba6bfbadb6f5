import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGlossary } from '../../domain/glossary.js';
import { loadTopics } from '../../domain/topics.js';
import { createHttpClient } from '../http/client.js';
import { SourceError, type ValidatorStore } from '../http/types.js';
import { fetchFeed } from './fetch.js';
import { FeedError } from './types.js';

const topics = loadTopics(loadGlossary());
const now = new Date('2026-03-01T12:00:00.000Z');

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Local</title><link>/</link>
<item><title>Rare earth magnet exports</title><link>/a?utm_source=rss</link><guid>local-guid-0001-abcdef</guid></item>
</channel></rss>`;
const ETAG = '"v1"';

/** `<?xml encoding="gb2312"?>` feed whose title is 稀土出口 in GBK bytes (稀 CF A1, 土 CD C1, 出 B3 F6, 口 BF DA). */
function gbkFeed(): Buffer {
  const head = Buffer.from('<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><title>GBK</title><item><title>', 'ascii');
  const title = Buffer.from([0xcf, 0xa1, 0xcd, 0xc1, 0xb3, 0xf6, 0xbf, 0xda]);
  const tail = Buffer.from('</title><link>http://gbk.example/1</link></item></channel></rss>', 'ascii');
  return Buffer.concat([head, title, tail]);
}

let server: Server;
let base: string;
const seen: { url: string; ifNoneMatch: string | undefined }[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push({ url: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] });
  if (req.url === '/feed.xml') {
    if (req.headers['if-none-match'] === ETAG) {
      res.writeHead(304, { ETag: ETAG });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: ETAG });
    res.end(FEED);
  } else if (req.url === '/gbk.xml') {
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    res.end(gbkFeed());
  } else if (req.url === '/page.html') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<html><head><title>Not a feed</title></head><body><p>Hello there, this is a page.</p></body></html>');
  } else {
    res.writeHead(404);
    res.end('not found');
  }
}

function memoryValidators(): ValidatorStore {
  const map = new Map<string, { etag: string | null; lastModified: string | null }>();
  return { get: (url) => map.get(url) ?? null, set: (url, v) => void map.set(url, v) };
}

const client = () => createHttpClient({ userAgent: 'ExportWatch-test', perHostDelayMs: 0, retries: 0, validators: memoryValidators() });

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('fetchFeed', () => {
  it('parses the feed, resolving links against the fetched URL, and returns null on a 304', async () => {
    const http = client();
    const source = { id: 'local', url: `${base}/feed.xml` };
    const first = await fetchFeed(http, source, { now, topics });
    expect(first?.feed).toEqual({ title: 'Local', link: `${base}/` });
    expect(first?.items).toHaveLength(1);
    expect(first?.items[0]).toMatchObject({
      feedId: 'local',
      title: 'Rare earth magnet exports',
      link: `${base}/a?utm_source=rss`,
      guid: 'local-guid-0001-abcdef',
      published: now.toISOString(),
      publishedKnown: false,
      topics: ['magnets', 'rare-earths'],
    });
    const second = await fetchFeed(http, source, { now, topics });
    expect(second).toBeNull();
    const requests = seen.filter((r) => r.url === '/feed.xml');
    expect(requests.map((r) => r.ifNoneMatch)).toEqual([undefined, ETAG]);
  });

  it('decodes a GBK feed declared as gb2312 (as GB18030) and tags its Chinese', async () => {
    const parsed = await fetchFeed(client(), { id: 'gbk', url: `${base}/gbk.xml` }, { now, topics });
    expect(parsed?.items[0]?.title).toBe('稀土出口');
    expect(parsed?.items[0]?.topics).toEqual(['rare-earths']);
  });

  it('reports a page that is not a feed as a FeedError naming the feed, and HTTP failures as SourceErrors', async () => {
    const error = await fetchFeed(client(), { id: 'page', url: `${base}/page.html` }, { now, topics }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).reason).toBe('not-a-feed');
    expect((error as FeedError).message).toMatch(new RegExp(`^feed page \\(${base}/page\\.html\\): not an RSS or Atom feed`));
    const missing = await fetchFeed(client(), { id: 'missing', url: `${base}/missing.xml` }, { now, topics }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceError);
    expect((missing as SourceError).status).toBe(404);
  });
});
