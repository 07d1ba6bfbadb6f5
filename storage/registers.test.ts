import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diff, summarise } from '../src/domain/diff.js';
import type { Entry } from '../src/domain/types.js';
import { openDatabase, type Db } from './db.js';
import { changesForKey, recentChanges } from './changes.js';
import { saveNotice, getNotice } from './notices.js';
import { countCurrent, currentVersions, ensureRegister, keyHistory, recordChanges, StateOrderError, toEntries, versionsAsOf } from './registers.js';
import { searchEntries } from './search.js';

const tech = (key: string, name: string, controlPoints: string[]): Entry => ({
  register: 'tech-catalogue',
  key,
  fields: { part: key.endsWith('J') ? 'prohibited' : 'restricted', sector: '有色金属冶炼和压延加工业', name, controlPoints },
});

const glosses: Record<string, string> = { '稀土的提炼、加工、利用技术': 'rare earth refining processing utilisation' };

let dir: string;
let db: Db;

function record(before: Entry[], after: Entry[], asOf: string, noticeKey: string | null = null): number {
  const changes = diff(before, after);
  return recordChanges(db, {
    register: 'tech-catalogue',
    changes,
    summary: summarise(changes),
    unparsed: [],
    asOf,
    noticeKey,
    source: 'import',
    detectedAt: `${asOf}T08:00:00.000Z`,
    flagged: false,
    searchText: (e) => ({
      name: `${String(e.fields.name)} ${glosses[String(e.fields.name)] ?? ''}`,
      points: (e.fields.controlPoints as string[]).join('\n'),
    }),
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-store-'));
  db = openDatabase(join(dir, 'nested', 'test.db'));
  ensureRegister(db, 'tech-catalogue', 'Technology catalogue');
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const v1 = [
  tech('053302J', '稀土的提炼、加工、利用技术', ['稀土萃取分离工艺技术', '稀土金属及合金材料的生产技术']),
  tech('050302J', '微生物肥料技术', ['菌种']),
];
const v2 = [tech('053302J', '稀土的提炼、加工、利用技术', ['稀土萃取分离工艺技术', '稀土金属及合金材料的生产技术', '钐钴、钕铁硼、铈磁体制备技术'])];

describe('entry versions', () => {
  it('uses WAL, foreign keys and records applied migrations', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT name FROM schema_migrations').pluck().all()).toContain('001_initial.sql');
  });

  it('keeps every state so that the state on any date can be asked', () => {
    record([], v1, '2008-11-01');
    saveNotice(db, {
      key: 'MOFCOM-2023-57',
      registerId: 'tech-catalogue',
      title: 't',
      issuer: '商务部',
      number: '2023年第57号',
      publishedAt: '2023-12-21',
      effectiveAt: null,
      urls: ['https://example.org/a'],
      textHash: null,
      status: 'applied',
    });
    record(toEntries(currentVersions(db, 'tech-catalogue')), v2, '2023-12-21', 'MOFCOM-2023-57');

    expect(versionsAsOf(db, 'tech-catalogue', '2010-01-01').map((v) => v.key)).toEqual(['050302J', '053302J']);
    expect(versionsAsOf(db, 'tech-catalogue', '2023-12-21').map((v) => v.key)).toEqual(['053302J']);
    expect(versionsAsOf(db, 'tech-catalogue', '2000-01-01')).toEqual([]);
    expect(countCurrent(db, 'tech-catalogue')).toBe(1);

    const history = keyHistory(db, 'tech-catalogue', '053302J');
    expect(history.map((h) => [h.validFrom, h.validTo, h.createdByNotice, h.endedByNotice])).toEqual([
      ['2008-11-01', '2023-12-21', null, 'MOFCOM-2023-57'],
      ['2023-12-21', null, 'MOFCOM-2023-57', null],
    ]);
    expect(changesForKey(db, 'tech-catalogue', '050302J').map((c) => c.kind)).toEqual(['added', 'removed']);
    expect(recentChanges(db, '2023-01-01T00:00:00Z').map((c) => [c.kind, c.key, c.noticeKey])).toEqual([
      ['removed', '050302J', 'MOFCOM-2023-57'],
      ['modified', '053302J', 'MOFCOM-2023-57'],
    ]);
  });

  it('refuses a state dated before the latest one and leaves the store untouched', () => {
    record([], v1, '2023-12-21');
    expect(() => record(v1, v2, '2020-08-28')).toThrow(StateOrderError);
    expect(currentVersions(db, 'tech-catalogue').map((v) => v.key)).toEqual(['050302J', '053302J']);
  });

  it('rolls the whole state back when one change cannot be applied', () => {
    record([], v1, '2008-11-01');
    // a "modified" change for a key that is not current makes the transaction fail half-way
    const bogus = diff([tech('999999X', 'x', [])], [tech('999999X', 'y', [])]);
    expect(() =>
      recordChanges(db, {
        register: 'tech-catalogue',
        changes: [...diff(v1, v2), ...bogus],
        summary: { added: 0, removed: 1, modified: 2, moved: 0 },
        unparsed: [],
        asOf: '2009-01-01',
        noticeKey: null,
        source: 'apply',
        detectedAt: 'now',
        flagged: false,
        searchText: () => ({ name: '', points: '' }),
      }),
    ).toThrow(/no current entry 999999X/);
    expect(currentVersions(db, 'tech-catalogue').map((v) => v.key)).toEqual(['050302J', '053302J']);
    expect(recentChanges(db, '2009-01-01')).toEqual([]);
  });

  it('merges the URLs of a notice seen twice', () => {
    const base = {
      key: 'MOFCOM-2020-38',
      registerId: null,
      title: 'a',
      issuer: '',
      number: '',
      publishedAt: null,
      effectiveAt: null,
      textHash: null,
      status: 'applied' as const,
    };
    saveNotice(db, { ...base, urls: ['https://a'] });
    saveNotice(db, { ...base, title: '', urls: ['https://b', 'https://a'] });
    expect(getNotice(db, 'MOFCOM-2020-38')).toMatchObject({ title: 'a', urls: ['https://a', 'https://b'] });
  });
});

describe('search index', () => {
  beforeEach(() => {
    record([], v1, '2008-11-01');
    record(v1, v2, '2023-12-21');
  });

  const find = (terms: string[], keys: string[] = []) => searchEntries(db, { terms, keys, limit: 10 }).map((h) => h.version.key);

  it('finds two-character and one-character Chinese queries', () => {
    expect(find(['稀土'])).toEqual(['053302J']);
    expect(find(['钕'])).toEqual(['053302J']);
    expect(find(['钕铁硼'])).toEqual(['053302J']);
  });

  it('finds English glosses by whole word', () => {
    expect(find(['refining'])).toEqual(['053302J']);
    expect(find(['refin'])).toEqual([]);
  });

  it('only searches current entries', () => {
    expect(find(['微生物'])).toEqual([]);
  });

  it('finds exact codes and code prefixes', () => {
    expect(find([], ['053302j'])).toEqual(['053302J']);
    expect(find([], ['0533'])).toEqual(['053302J']);
  });

  it('treats query syntax as plain text', () => {
    expect(find(['*', 'OR', '稀土', 'NEAR(', ')'])).toEqual(['053302J']);
    expect(find(['稀土" OR "微生物'])).toEqual([]);
    expect(find(['"'])).toEqual([]);
  });
});
