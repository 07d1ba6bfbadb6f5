import { describe, expect, it } from 'vitest';
import { diff } from '../../domain/diff.js';
import type { Change, Entry } from '../../domain/types.js';
import { dayNotice, registerNotice } from '../measures/day-fixtures.test-support.js';
import type { NoticeDocument } from '../types.js';
import { dualUse } from './index.js';

function step(state: readonly Entry[], notice: NoticeDocument): { after: Entry[]; changes: Change[] } | null {
  const update = dualUse.fromNotice!(notice, state);
  if (!update) return null;
  return { after: update.after, changes: diff(state, update.after).map((c) => dualUse.refineChange!(c)) };
}
const kinds = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.key}`);

describe('dual-use register', () => {
  const scandium = dayNotice('05-2026-96-dual-use-scandium.html');

  it('adds the items of a control notice, controlled from its effective date', () => {
    const s = step([], scandium)!;
    expect(kinds(s.changes)).toEqual(['added 1C907.a', 'added 1C907.b']);
    expect(s.after[0]).toEqual({
      register: 'dual-use',
      key: '1C907.a',
      fields: {
        description: '金属钪、钪铝合金、钪锆合金等含钪金属及合金',
        customsCodes: ['2805301400', '7601200010'],
        measure: 'MOFCOM-2026-96',
        effectiveAt: '2026-12-01',
        status: 'controlled',
        suspendedUntil: null,
      },
    });
    expect(s.changes[0]?.severity).toBe('high');
  });

  it('updates an item a later notice prints again', () => {
    const first = step([], scandium)!.after;
    const later: NoticeDocument = {
      ...scandium,
      key: 'MOFCOM-2027-3',
      number: '商务部 海关总署公告2027年第3号',
      publishedAt: '2027-01-05',
      text: '1.金属钪及钪合金（参考税则号列：28053014）（管制编码：1C907.a）\n本公告自发布之日起正式实施。',
    };
    const s = step(first, later)!;
    expect(kinds(s.changes)).toEqual(['modified 1C907.a']);
    expect(s.after.find((e) => e.key === '1C907.a')?.fields).toMatchObject({ measure: 'MOFCOM-2027-3', effectiveAt: '2027-01-05', customsCodes: ['28053014'] });
  });

  it('suspends, resumes and removes the items of a measure a lifecycle notice names', () => {
    const rareEarth = step([], dayNotice('01-2025-61-dual-use-rare-earth-technology.html'))!.after;
    const both = step(rareEarth, scandium)!.after;
    const suspended = step(both, dayNotice('06-2026-97-suspension.html'))!;
    expect(kinds(suspended.changes)).toEqual(['suspended 1C907.a', 'suspended 1C907.b']);
    expect(dualUse.statusOf(suspended.after.find((e) => e.key === '1C907.a')!.fields)).toBe('suspended');
    expect(suspended.after.find((e) => e.key === '1E902.a')?.fields.status).toBe('controlled');

    const s70 = step(both, dayNotice('02-2025-70-suspension.html'))!;
    expect(kinds(s70.changes)).toEqual(['suspended 1E902.a']);
    const extended = step(s70.after, registerNotice('measures-extend.txt'))!;
    expect(kinds(extended.changes)).toEqual(['suspended 1E902.a']);
    expect(extended.after.find((e) => e.key === '1E902.a')?.fields.suspendedUntil).toBe('2027-11-10');
    const resumed = step(extended.after, registerNotice('measures-resume.txt'))!;
    expect(kinds(resumed.changes)).toEqual(['resumed 1E902.a']);
    expect(resumed.after.find((e) => e.key === '1E902.a')?.fields).toMatchObject({ status: 'controlled', suspendedUntil: null });
    const stopped = step(resumed.after, registerNotice('measures-stop.txt'))!;
    expect(kinds(stopped.changes)).toEqual(['removed 1E902.a']);
  });

  it('leaves items alone when only a section of their measure is acted on, and ignores notices without codes', () => {
    expect(step([], registerNotice('measures-2025-72-partial.txt'))).toBeNull();
    expect(step([], dayNotice('04-2026-95-entity-listing.html'))).toBeNull();
    expect(step([], dayNotice('03-2026-94-tech-catalogue-adjustment.html'))).toBeNull();
  });

  it('reports bad codes as unparsed and keeps the good ones', () => {
    const update = dualUse.fromNotice!(registerNotice('dual-use-malformed.txt'), [])!;
    expect(update.after).toHaveLength(12);
    expect(update.unparsed).toHaveLength(4);
    expect(update.flags).toHaveLength(1);
    expect(update.after.every((e) => e.fields.effectiveAt === '2027-01-01' && e.fields.measure === 'MOFCOM-2026-120')).toBe(true);
  });

  it('matches and normalises typed keys', () => {
    expect(dualUse.keyPattern.test('1E902.A')).toBe(true);
    expect(dualUse.keyPattern.test('1C902')).toBe(true);
    expect(dualUse.keyPattern.test('053302J')).toBe(false);
    expect(dualUse.keyPattern.test('MOFCOM-2025-61')).toBe(false);
    expect(dualUse.normaliseKey!('1e902.A')).toBe('1E902.a');
    expect(dualUse.normaliseKey!(' 1c907.B ')).toBe('1C907.b');
  });

  it('is found by code and description, customs codes on the detail side', () => {
    const entry = step([], scandium)!.after[1]!;
    const text = dualUse.searchText(entry, (zh) => (zh.includes('钪') ? 'scandium compounds' : null));
    expect(text.name).toContain('1C907.b');
    expect(text.name).toContain('氧化钪');
    expect(text.name).toContain('scandium compounds');
    expect(text.points).toContain('28469019');
    expect(text.points).toContain('MOFCOM-2026-96');
  });
});
