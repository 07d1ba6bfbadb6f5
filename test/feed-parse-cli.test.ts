// `exportwatch feed parse` over the whole real-world feed corpus: items with titles or links, or one clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, tempDir } from './helpers.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'feeds', 'rss-parser');
const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f !== 'LICENSE') : [];
let dir: ReturnType<typeof tempDir>;

beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

describe.skipIf(files.length === 0)('feed parse over the corpus', () => {
  if (files.length === 0) console.warn(`feed corpus not found at ${CORPUS}; skipped`);
  it.each(files)('%s', async (file) => {
    const r = await runCli(['--db', join(dir.path, 'feeds.db'), 'feed', 'parse', join(CORPUS, file), '--json'], {});
    if (r.code !== 0) {
      // A feed that is not a feed is one clear sentence, never a crash.
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^exportwatch: .+/);
      return;
    }
    const out = JSON.parse(r.stdout) as {
      feed: { title: string; link: string };
      items: Array<{ title: string; link: string; guid: string | null; published: string; summary: string; topics: string[] }>;
    };
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['feed', 'items']));
    for (const item of out.items) {
      expect(item.title !== '' || item.link !== '').toBe(true);
      expect(Number.isNaN(Date.parse(item.published))).toBe(false);
      expect(Array.isArray(item.topics)).toBe(true);
    }
  });

  it('reads a large real feed completely', async () => {
    const r = await runCli(['--db', join(dir.path, 'feeds.db'), 'feed', 'parse', join(CORPUS, 'guardian.rss'), '--json'], {});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).items.length).toBeGreaterThan(10);
  });
});
