import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSourcesFile, parseInterval, parseSources, SourcesError, urlForYear } from './config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-sources-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The error message of parseSources for one entry. */
function refusal(entry: unknown): string {
  try {
    parseSources({ sources: [entry] }, 'test.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(SourcesError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

const columns = { id: 'ec', kind: 'export-control-columns', baseUrl: 'https://exportcontrol.mofcom.gov.cn', columns: [9, 13], every: '15m' };
const jpaas = {
  id: 'aq',
  kind: 'jpaas-list',
  baseUrl: 'https://aqygzj.mofcom.gov.cn',
  params: { webId: 'w1', pageId: 'p1', tplSetId: 't1', tagId: '信息列表' },
  every: '30m',
};
const index = { id: 'ann', kind: 'html-index', url: 'https://www.mofcom.gov.cn/zcfb/blgg/gg/{year}/index.html', every: '1h' };

describe('parseInterval', () => {
  it.each([
    ['30s', 30_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 2h ', 7_200_000],
  ])('%s → %d ms', (text, ms) => expect(parseInterval(text)).toBe(ms));

  it.each(['', '15', 'm', '1w', '1.5h', '-1m', '15 minutes', '1h30m', '10s', '29s', '0m'])('refuses %j', (text) => {
    expect(() => parseInterval(text)).toThrow(SourcesError);
  });

  it('says why', () => {
    expect(() => parseInterval('10s')).toThrow(/minimum of 30s/);
    expect(() => parseInterval('1w')).toThrow(/30s, 15m, 1h, 1d/);
  });
});

describe('parseSources', () => {
  it('reads each kind with its defaults', () => {
    const sources = parseSources(
      {
        sources: [
          { ...columns, baseUrl: 'https://exportcontrol.mofcom.gov.cn/' },
          { ...jpaas, params: { ...jpaas.params, webId: 123 } },
          index,
          { id: 'mining', kind: 'feed', url: 'https://www.mining.com/tag/rare-earth/feed/', every: '1h', name: 'Mining.com' },
        ],
      },
      'x.yaml',
    );
    expect(sources).toEqual([
      { id: 'ec', kind: 'export-control-columns', baseUrl: 'https://exportcontrol.mofcom.gov.cn', columns: [9, 13], every: '15m', everyMs: 900_000, pages: 1 },
      {
        id: 'aq',
        kind: 'jpaas-list',
        baseUrl: 'https://aqygzj.mofcom.gov.cn',
        params: { webId: '123', pageId: 'p1', tplSetId: 't1', tagId: '信息列表' },
        pageSize: 20,
        every: '30m',
        everyMs: 1_800_000,
      },
      { id: 'ann', kind: 'html-index', url: index.url, baseUrl: 'https://www.mofcom.gov.cn', every: '1h', everyMs: 3_600_000 },
      { id: 'mining', kind: 'feed', url: 'https://www.mining.com/tag/rare-earth/feed/', every: '1h', everyMs: 3_600_000, name: 'Mining.com' },
    ]);
  });

  it('accepts a bare list and explicit pages, pageSize and html-index baseUrl', () => {
    const [a, b, c] = parseSources(
      [
        { ...columns, pages: 3 },
        { ...jpaas, pageSize: 500 },
        { ...index, baseUrl: 'http://127.0.0.1:8080' },
      ],
      'x.json',
    );
    expect(a).toMatchObject({ pages: 3 });
    expect(b).toMatchObject({ pageSize: 500 });
    expect(c).toMatchObject({ baseUrl: 'http://127.0.0.1:8080' });
  });

  it.each([
    [{ ...columns, kind: undefined }, /source ec: kind is required/],
    [{ ...columns, kind: 'rss' }, /source ec: unknown kind "rss"/],
    [{ ...columns, every: undefined }, /source ec: every: is required/],
    [{ ...columns, every: '5s' }, /source ec: every: .*minimum of 30s/],
    [{ ...columns, every: 'hourly' }, /source ec: every: invalid interval/],
    [{ ...columns, baseUrl: 'ftp://exportcontrol.mofcom.gov.cn' }, /source ec: baseUrl: must be an http\(s\) URL/],
    [{ ...columns, baseUrl: 'exportcontrol.mofcom.gov.cn' }, /source ec: baseUrl: not a valid URL/],
    [{ ...columns, baseUrl: 'https://x.example/?a=1' }, /baseUrl: a base URL has no query string/],
    [{ ...columns, baseUrl: 'https://x.example/{year}' }, /baseUrl: \{year\} is only allowed in an html-index url/],
    [{ ...columns, columns: [] }, /source ec: columns: at least one column/],
    [{ ...columns, columns: [9, 'x'] }, /source ec: columns\.1: /],
    [{ ...columns, columns: [9, 9] }, /a column is listed twice/],
    [{ ...columns, colums: [9] }, /source ec: unknown key colums/],
    [{ ...columns, pages: 0 }, /source ec: pages: /],
    [{ ...jpaas, params: { pageId: 'p', tplSetId: 't' } }, /source aq: params\.webId: webId is required/],
    [{ ...jpaas, params: { ...jpaas.params, pageNo: '2' } }, /params\.pageNo: pageNo is set by the poller/],
    [{ ...jpaas, params: undefined }, /source aq: params: is required/],
    [{ ...index, url: 'javascript:alert(1)' }, /source ann: url: must be an http\(s\) URL/],
    [{ id: 'f', kind: 'feed', url: 'https://x.example/{year}/feed', every: '1h' }, /source f: url: \{year\} is only allowed/],
    [{ id: 'f', kind: 'feed', every: '1h' }, /source f: url: is required/],
    [{ ...columns, id: 'bad id!' }, /source bad id!: id: id may contain only/],
    [{ ...columns, id: 42 }, /source #1: id: /],
    [{ ...columns, id: undefined }, /source #1: id: is required/],
    ['just a string', /source #1: an entry is a mapping/],
  ])('refuses %j', (entry, message) => {
    const text = refusal(entry);
    expect(text).toMatch(/^test\.yaml: source /);
    expect(text).toMatch(message);
  });

  it('refuses duplicate ids and lists every problem', () => {
    let error: SourcesError | undefined;
    try {
      parseSources({ sources: [columns, { ...columns, columns: [14] }, { ...index, every: '1x' }] }, 'sources.yaml');
    } catch (err) {
      error = err as SourcesError;
    }
    expect(error).toBeInstanceOf(SourcesError);
    expect(error!.problems).toEqual([expect.stringMatching(/^source ec: duplicate id \(also entry #1\)$/), expect.stringMatching(/^source ann: every: /)]);
    expect(error!.message.split('\n')).toHaveLength(2);
  });

  it('refuses a file without a sources list, or with an empty one', () => {
    expect(() => parseSources({ source: [] }, 'f.yaml')).toThrow('f.yaml: expected a "sources" list');
    expect(() => parseSources(null, 'f.yaml')).toThrow('f.yaml: expected a "sources" list');
    expect(() => parseSources({ sources: [] }, 'f.yaml')).toThrow('f.yaml: the "sources" list is empty');
  });
});

describe('loadSourcesFile', () => {
  it('loads the shipped config/sources.yaml: the real MOFCOM defaults and news feeds', () => {
    const sources = loadSourcesFile(join(import.meta.dirname, '../../config/sources.yaml'));
    expect(sources.map((s) => [s.id, s.kind])).toEqual([
      ['exportcontrol', 'export-control-columns'],
      ['mofcom-announcements', 'html-index'],
      ['aqygzj', 'jpaas-list'],
      ['aqygzj-home', 'html-index'],
      ['mining-rare-earth', 'feed'],
      ['mining-critical-minerals', 'feed'],
      ['google-news-export-controls', 'feed'],
    ]);
    expect(sources[0]).toMatchObject({ baseUrl: 'https://exportcontrol.mofcom.gov.cn', columns: [9, 13, 14, 15], everyMs: 900_000 });
    expect(sources[1]).toMatchObject({ url: 'https://www.mofcom.gov.cn/zcfb/blgg/gg/{year}/index.html', baseUrl: 'https://www.mofcom.gov.cn' });
    expect(sources[2]).toMatchObject({ baseUrl: 'https://aqygzj.mofcom.gov.cn', params: { tagId: '信息列表' } });
    expect(sources.filter((s) => s.kind === 'feed').every((s) => s.everyMs === 3_600_000)).toBe(true);
  });

  it('reads YAML (.yaml, .yml) and JSON with the same structure', () => {
    const yaml = `sources:\n  - id: ec\n    kind: export-control-columns\n    baseUrl: http://127.0.0.1:9999\n    columns: [9]\n    every: 30s\n`;
    const json = JSON.stringify({ sources: [{ id: 'ec', kind: 'export-control-columns', baseUrl: 'http://127.0.0.1:9999', columns: [9], every: '30s' }] });
    const a = loadSourcesFile(write('s.yaml', yaml));
    const b = loadSourcesFile(write('s.yml', yaml));
    const c = loadSourcesFile(write('s.json', json));
    expect(a).toEqual(b);
    expect(a).toEqual(c);
    expect(a[0]).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', everyMs: 30_000 });
  });

  it('names the file in every error', () => {
    const missing = join(dir, 'none.yaml');
    expect(() => loadSourcesFile(missing)).toThrow(`${missing}: cannot read the sources file: no such file`);
    const badYaml = write('bad.yaml', 'sources:\n  - id: [unclosed\n');
    expect(() => loadSourcesFile(badYaml)).toThrow(new RegExp(`^${badYaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid YAML: `));
    const badJson = write('bad.json', '{"sources": [');
    expect(() => loadSourcesFile(badJson)).toThrow(`${badJson}: invalid JSON: `);
    const toml = write('s.toml', 'x = 1');
    expect(() => loadSourcesFile(toml)).toThrow(`${toml}: unsupported sources file type ".toml"`);
    const invalid = write('i.yaml', 'sources:\n  - id: x\n    kind: html-index\n    url: https://x.example/\n    every: 1m\n    extra: 1\n');
    expect(() => loadSourcesFile(invalid)).toThrow(`${invalid}: source x: unknown key extra`);
  });
});

describe('urlForYear', () => {
  it('substitutes every {year}', () => {
    expect(urlForYear('https://x.example/{year}/a/{year}.html', 2024)).toBe('https://x.example/2024/a/2024.html');
    expect(urlForYear('https://x.example/', 2024)).toBe('https://x.example/');
  });
});
