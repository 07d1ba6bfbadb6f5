import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newsItemId } from '../src/sources/feeds/dedupe.js';
import type { NewsItem } from '../src/sources/feeds/types.js';
import { openDatabase, type Db } from './db.js';
import { recentNews, storeNewsItems } from './news.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'news-'));
  db = openDatabase(join(dir, 'test.db'));
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const DAY = 24 * 60 * 60 * 1000;
const t0 = new Date('2026-03-01T08:00:00.000Z');
const at = (days: number) => new Date(t0.getTime() + days * DAY);

function item(feedId: string, parts: { title: string; link?: string; guid?: string | null; topics?: string[] }): NewsItem {
  const base = { feedId, title: parts.title, link: parts.link ?? '', guid: parts.guid ?? null };
  return {
    id: newsItemId(base),
    ...base,
    published: '2026-02-28T10:00:00.000Z',
    publishedKnown: true,
    summary: `summary of ${parts.title}`,
    topics: parts.topics ?? [],
  };
}

const titles = (items: NewsItem[]) => items.map((i) => i.title);

describe('storeNewsItems', () => {
  it('creates the table through migration 003', () => {
    const columns = db.prepare("SELECT name FROM pragma_table_info('news_items')").pluck().all();
    expect(columns).toEqual(
      expect.arrayContaining([
        'id',
        'feed_id',
        'title',
        'link',
        'canonical_link',
        'guid',
        'title_hash',
        'published_at',
        'published_known',
        'summary',
        'topics',
        'first_seen_at',
      ]),
    );
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'news_items'").pluck().all();
    expect(indexes).toEqual(
      expect.arrayContaining(['news_items_by_canonical_link', 'news_items_by_guid', 'news_items_by_title_hash', 'news_items_by_first_seen']),
    );
  });

  it('returns only new items: repeated polls of one feed add nothing', () => {
    const poll = [item('a', { title: 'One', link: 'https://e.com/1', guid: 'https://e.com/?p=1' }), item('a', { title: 'Two', link: 'https://e.com/2' })];
    expect(titles(storeNewsItems(db, poll, { now: t0 }))).toEqual(['One', 'Two']);
    expect(storeNewsItems(db, poll, { now: at(0.01) })).toEqual([]);
    const next = [...poll, item('a', { title: 'Three', link: 'https://e.com/3' })];
    expect(titles(storeNewsItems(db, next, { now: at(1) }))).toEqual(['Three']);
  });

  it('dedupes across feeds on the GUID, the canonical link and the normalised title', () => {
    storeNewsItems(db, [item('a', { title: 'China curbs gallium exports', link: 'https://news.example/gallium?utm_source=a', guid: 'urn:uuid:gallium-1' })], {
      now: t0,
    });
    const others = [
      item('b', { title: 'Totally different headline', link: 'https://mirror.example/x', guid: 'urn:uuid:gallium-1' }),
      item('c', { title: 'Gallium: China curbs exports', link: 'https://NEWS.example/gallium?utm_medium=rss&fbclid=1#top' }),
      item('d', { title: 'China curbs GALLIUM exports!', link: 'https://aggregator.example/123' }),
      item('e', { title: 'China curbs germanium exports', link: 'https://news.example/germanium' }),
    ];
    expect(titles(storeNewsItems(db, others, { now: at(0.1) }))).toEqual(['China curbs germanium exports']);
  });

  it('dedupes within one call', () => {
    const batch = [item('a', { title: 'Same story', link: 'https://e.com/s?utm_source=a' }), item('b', { title: 'Same story', link: 'https://e.com/s' })];
    expect(titles(storeNewsItems(db, batch, { now: t0 }))).toEqual(['Same story']);
    expect(db.prepare('SELECT count(*) FROM news_items').pluck().get()).toBe(1);
  });

  it('matches bare-number GUIDs only within their feed', () => {
    storeNewsItems(db, [item('a', { title: 'Alpha', guid: '1001' })], { now: t0 });
    expect(titles(storeNewsItems(db, [item('b', { title: 'Beta', guid: '1001' })], { now: at(0.1) }))).toEqual(['Beta']);
    expect(storeNewsItems(db, [item('a', { title: 'Alpha (updated)', guid: '1001' })], { now: at(0.2) })).toEqual([]);
  });

  it('an item first seen outside the window is new again; the window is configurable', () => {
    const story = item('a', { title: 'Antimony prices', link: 'https://e.com/sb' });
    storeNewsItems(db, [story], { now: t0 });
    expect(storeNewsItems(db, [story], { now: at(29) })).toEqual([]);
    expect(titles(storeNewsItems(db, [story], { now: at(29 + 31) }))).toEqual(['Antimony prices']);
    const other = item('a', { title: 'Tungsten prices', link: 'https://e.com/w' });
    storeNewsItems(db, [other], { now: t0 });
    expect(titles(storeNewsItems(db, [other], { now: at(8), windowDays: 7 }))).toEqual(['Tungsten prices']);
    expect(storeNewsItems(db, [other], { now: at(9), windowDays: 7 })).toEqual([]);
  });

  it('an item that stays in its feed is not announced again when the window passes', () => {
    const story = item('a', { title: 'Evergreen', link: 'https://e.com/evergreen' });
    storeNewsItems(db, [story], { now: t0 });
    for (let day = 10; day <= 100; day += 10) expect(storeNewsItems(db, [story], { now: at(day) })).toEqual([]);
  });

  it('an item with neither a link nor a title key never matches on the empty keys', () => {
    const a = item('a', { title: '…', guid: null });
    const b = item('b', { title: '!!', guid: null });
    expect(storeNewsItems(db, [a], { now: t0 })).toHaveLength(1);
    expect(storeNewsItems(db, [b], { now: t0 })).toHaveLength(1);
  });

  it('rejects a negative window', () => {
    expect(() => storeNewsItems(db, [], { now: t0, windowDays: -1 })).toThrow(/window/);
  });
});

describe('recentNews', () => {
  beforeEach(() => {
    storeNewsItems(db, [item('a', { title: 'Rare earth magnets', link: 'https://e.com/1', topics: ['magnets', 'rare-earths'] })], { now: t0 });
    storeNewsItems(db, [item('a', { title: 'Graphite anodes', link: 'https://e.com/2', topics: ['graphite'] })], { now: at(1) });
    storeNewsItems(db, [item('b', { title: 'Unrelated', link: 'https://e.com/3' })], { now: at(2) });
  });

  it('lists items first seen since a time, newest first, with a limit', () => {
    expect(titles(recentNews(db, { since: t0, limit: 10 }))).toEqual(['Unrelated', 'Graphite anodes', 'Rare earth magnets']);
    expect(titles(recentNews(db, { since: at(1), limit: 10 }))).toEqual(['Unrelated', 'Graphite anodes']);
    expect(titles(recentNews(db, { since: t0, limit: 1 }))).toEqual(['Unrelated']);
    expect(titles(recentNews(db, { since: t0, until: at(2), limit: 10 }))).toEqual(['Graphite anodes', 'Rare earth magnets']);
  });

  it('filters by topics', () => {
    expect(titles(recentNews(db, { since: t0, topics: ['rare-earths'], limit: 10 }))).toEqual(['Rare earth magnets']);
    expect(titles(recentNews(db, { since: t0, topics: ['graphite', 'magnets'], limit: 10 }))).toEqual(['Graphite anodes', 'Rare earth magnets']);
    expect(recentNews(db, { since: t0, topics: ['tungsten'], limit: 10 })).toEqual([]);
    expect(recentNews(db, { since: t0, topics: [], limit: 10 })).toEqual([]);
  });

  it('returns the stored item in full', () => {
    const [stored] = recentNews(db, { since: t0, topics: ['magnets'], limit: 10 });
    const original = item('a', { title: 'Rare earth magnets', link: 'https://e.com/1', topics: ['magnets', 'rare-earths'] });
    expect(stored).toEqual({ ...original, canonicalLink: 'https://e.com/1', firstSeenAt: t0.toISOString() });
  });

  it('treats hostile topic strings as data', () => {
    expect(recentNews(db, { since: t0, topics: ["x') OR 1=1 --"], limit: 10 })).toEqual([]);
  });
});
