// Replays the day of notices (test/fixtures/mofcom-day) in file order the way the pipeline does —
// classify, fromNotice for each register the classification names, generic diff, refineChange — and
// checks every step against expected.json, which the integration tests assert against too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diff } from '../../domain/diff.js';
import type { Change, Entry, FieldValue } from '../../domain/types.js';
import { classifyNotice } from '../classify.js';
import { REGISTERS } from '../index.js';
import { applyPatches } from '../tech-catalogue/apply.js';
import { entryToTech, techToEntry } from '../tech-catalogue/entry.js';
import { parseAdjustmentNotice } from '../tech-catalogue/notice.js';
import { parseCatalogue } from '../tech-catalogue/parse.js';
import type { NoticeDocument, RegisterUpdate } from '../types.js';
import { DAY_DIR, dayFiles, dayNotice } from './day-fixtures.test-support.js';

interface ExpectedNotice {
  file: string;
  key: string;
  title: string;
  number: string;
  issuer: string;
  publishedAt: string;
  effectiveAt: string;
  classification: { kind: string; registers: string[] };
  changes: Record<string, Record<string, string[]>>;
  flagged: boolean;
  flags: string[];
  measures: Record<string, { status: string; suspendedUntil: string | null; sections: string[]; lastActionBy: string | null; stub?: boolean }>;
  entries: Record<string, number>;
}
interface Expected {
  notices: ExpectedNotice[];
  final: Record<string, unknown>;
}

const expected = JSON.parse(readFileSync(join(DAY_DIR, 'expected.json'), 'utf8')) as Expected;
const DEMO = join(DAY_DIR, '../../../data/demo/');
const IDS = ['tech-catalogue', 'dual-use', 'export-control-list', 'watch-list', 'unreliable-entity-list', 'measures'];

/** The technology catalogue's update, as the pipeline computes it with the catalogue's own parser. */
function techUpdate(notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate {
  const parsed = parseAdjustmentNotice(notice.text);
  const applied = applyPatches(current.map(entryToTech), parsed.patches);
  return { after: applied.entries.map(techToEntry), unparsed: [...parsed.unparsed, ...applied.errors], flags: parsed.totalsMismatch };
}

interface Outcome {
  notice: NoticeDocument;
  kind: string;
  registers: string[];
  changes: Record<string, Record<string, string[]>>;
  flags: string[];
  unparsed: number;
  entries: Record<string, number>;
  changeLists: Record<string, Change[]>;
}

const state: Record<string, Entry[]> = Object.fromEntries(IDS.map((id) => [id, [] as Entry[]]));
const outcomes: Outcome[] = [];

beforeAll(() => {
  const base = parseCatalogue(readFileSync(join(DEMO, '03-catalogue-2023.html'), 'utf8')).entries;
  state['tech-catalogue'] = applyPatches(base, parseAdjustmentNotice(readFileSync(join(DEMO, '04-notice-2025-28.txt'), 'utf8')).patches).entries.map(
    techToEntry,
  );
  for (const file of dayFiles()) {
    const notice = dayNotice(file);
    const c = classifyNotice({ title: notice.title, text: notice.text });
    const outcome: Outcome = { notice, kind: c.kind, registers: c.registers, changes: {}, flags: [], unparsed: 0, entries: {}, changeLists: {} };
    for (const register of c.registers) {
      const current = state[register]!;
      const module = REGISTERS[register]!;
      const update = register === 'tech-catalogue' ? techUpdate(notice, current) : module.fromNotice!(notice, current);
      if (!update) continue;
      outcome.flags.push(...update.flags);
      outcome.unparsed += update.unparsed.length;
      const changes = diff(current, update.after).map((ch) => (module.refineChange ? module.refineChange(ch) : ch));
      if (changes.length > 0) {
        outcome.changeLists[register] = changes;
        const byKind: Record<string, string[]> = {};
        for (const ch of changes) (byKind[ch.kind] ??= []).push(ch.key);
        for (const list of Object.values(byKind)) list.sort();
        outcome.changes[register] = byKind;
      }
      state[register] = update.after;
    }
    outcome.entries = Object.fromEntries(IDS.map((id) => [id, state[id]!.length]));
    outcomes.push(outcome);
  }
});

function fieldsOf(register: string, key: string): Record<string, FieldValue> | undefined {
  return state[register]!.find((e) => e.key === key)?.fields;
}

describe('the day of notices', () => {
  it('has one expectation per fixture, in file order', () => {
    expect(expected.notices.map((n) => n.file)).toEqual(dayFiles());
  });

  it.each(expected.notices.map((n, i) => [n.file, i] as const))('%s gives exactly the expected outcome', (_file, i) => {
    const want = expected.notices[i]!;
    const got = outcomes[i]!;
    expect(got.notice.key).toBe(want.key);
    expect(got.notice.title).toBe(want.title);
    expect(got.notice.number?.replace(/\s+/g, '')).toBe(want.number);
    expect(got.notice.issuer).toBe(want.issuer);
    expect(got.notice.publishedAt).toBe(want.publishedAt);
    expect({ kind: got.kind, registers: got.registers }).toEqual(want.classification);
    expect(got.changes).toEqual(want.changes);
    expect(got.flags).toEqual(want.flags);
    expect(got.flags.length > 0).toBe(want.flagged);
    expect(got.unparsed).toBe(0);
    expect(got.entries).toEqual(want.entries);
  });

  it('records the effective dates and lifecycle of the measures as expected', () => {
    for (const want of expected.notices) {
      expect(fieldsOf('measures', want.key)?.effectiveAt).toBe(want.effectiveAt);
    }
    expect(Object.fromEntries(state.measures!.map((e) => [e.key, e.fields.status]))).toEqual(
      Object.fromEntries(Object.entries(expected.final.measures as Record<string, { status: string }>).map(([k, v]) => [k, v.status])),
    );
  });

  it('ends in the expected state of every register', () => {
    const final = expected.final as Record<string, Record<string, unknown>>;
    expect(state['tech-catalogue']!.length).toBe((final['tech-catalogue'] as { entries: number }).entries);
    for (const id of ['dual-use', 'export-control-list', 'watch-list', 'unreliable-entity-list']) {
      expect(Object.fromEntries(state[id]!.map((e) => [e.key, e.fields]))).toEqual(final[id]);
    }
    for (const [key, want] of Object.entries(final.measures as Record<string, Record<string, unknown>>)) {
      expect(fieldsOf('measures', key)).toMatchObject(want);
    }
  });

  it('adds control points 5 and 6 to 053302J and deletes 056003X', () => {
    const tech = outcomes[2]!.changeLists['tech-catalogue']!;
    const modified = tech.find((c) => c.key === '053302J')!;
    expect(modified.fieldChanges).toEqual([
      { field: 'controlPoints', kind: 'item-added', index: 4, after: '稀土永磁材料晶界扩散技术' },
      { field: 'controlPoints', kind: 'item-added', index: 5, after: '稀土废料及二次资源回收利用技术' },
    ]);
    expect(tech.find((c) => c.key === '056003X')?.kind).toBe('removed');
  });

  it('makes entities findable by English name, Chinese name and alias', () => {
    const module = REGISTERS['export-control-list']!;
    const acme = state['export-control-list']!.find((e) => e.key === 'acme dynamics systems inc')!;
    const text = module.searchText(acme, () => null);
    expect(text.name).toContain('Acme Dynamics Systems, Inc.');
    expect(text.name).toContain('阿克米动力系统公司');
    expect(text.name).toContain('ADS Defense');
    expect(text.points).toContain('美国弗吉尼亚州');
    expect(module.statusOf(acme.fields)).toBe('listed');
    expect(module.normaliseKey!('Acme Dynamics Systems, Inc.')).toBe(acme.key);
  });
});
