import { describe, expect, it } from 'vitest';
import { diff } from '../../domain/diff.js';
import type { Change, Entry } from '../../domain/types.js';
import type { NoticeDocument } from '../types.js';
import { dayNotice, registerNotice } from './day-fixtures.test-support.js';
import { actOn, measures, measuresFromNotice, STUB_TITLE } from './index.js';

/** Applies a notice to the register and returns the state after and the refined changes. */
function step(state: readonly Entry[], notice: NoticeDocument): { after: Entry[]; changes: Change[]; flags: string[] } {
  const update = measures.fromNotice!(notice, state);
  if (!update) return { after: [...state], changes: [], flags: [] };
  return { after: update.after, changes: diff(state, update.after).map((c) => measures.refineChange!(c)), flags: update.flags };
}

const find = (state: readonly Entry[], key: string) => state.find((e) => e.key === key)?.fields;
const kinds = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.key}`);

describe('measures register', () => {
  const m61 = dayNotice('01-2025-61-dual-use-rare-earth-technology.html');

  it('records every classified notice as a measure in force with its dates', () => {
    const { after, changes } = step([], m61);
    expect(kinds(changes)).toEqual(['added MOFCOM-2025-61']);
    expect(find(after, 'MOFCOM-2025-61')).toEqual({
      title: '商务部公告2025年第61号 关于对稀土相关技术实施出口管制的决定',
      number: '商务部公告2025年 第61号',
      kind: 'dual-use',
      publishedAt: '2025-10-09',
      effectiveAt: '2025-10-09',
      status: 'in-force',
      suspendedUntil: null,
      lastActionBy: null,
      sections: [],
    });
    expect(measures.statusOf(find(after, 'MOFCOM-2025-61')!)).toBe('in-force');
  });

  it('takes the effective date from the text when the notice states one', () => {
    const { after } = step([], dayNotice('05-2026-96-dual-use-scandium.html'));
    expect(find(after, 'MOFCOM-2026-96')).toMatchObject({ publishedAt: '2026-11-02', effectiveAt: '2026-12-01' });
    const given = step([], { ...dayNotice('05-2026-96-dual-use-scandium.html'), effectiveAt: '2026-12-05' });
    expect(find(given.after, 'MOFCOM-2026-96')?.effectiveAt).toBe('2026-12-05');
  });

  it('ignores notices classified other', () => {
    const news: NoticeDocument = {
      key: 'URL-ABC',
      title: '商务部新闻发言人答记者问',
      text: '',
      number: null,
      issuer: null,
      publishedAt: null,
      effectiveAt: null,
      attachmentTexts: [],
    };
    expect(measures.fromNotice!(news, [])).toBeNull();
  });

  it('runs suspend → extend → resume → stop, each change refined', () => {
    let state = step([], m61).after;
    const s1 = step(state, dayNotice('02-2025-70-suspension.html'));
    expect(kinds(s1.changes)).toContain('suspended MOFCOM-2025-61');
    expect(find(s1.after, 'MOFCOM-2025-61')).toMatchObject({ status: 'suspended', suspendedUntil: '2026-11-10', lastActionBy: 'MOFCOM-2025-70' });
    state = s1.after;

    const s2 = step(state, registerNotice('measures-extend.txt'));
    expect(kinds(s2.changes)).toEqual(['suspended MOFCOM-2025-61', 'added MOFCOM-2026-100']);
    expect(find(s2.after, 'MOFCOM-2025-61')).toMatchObject({ status: 'suspended', suspendedUntil: '2027-11-10', lastActionBy: 'MOFCOM-2026-100' });
    expect(find(s2.after, 'MOFCOM-2026-100')).toMatchObject({ kind: 'lifecycle', effectiveAt: '2026-11-10', status: 'in-force' });
    // The basis (2025 No.70) is not touched.
    expect(find(s2.after, 'MOFCOM-2025-70')).toEqual(find(state, 'MOFCOM-2025-70'));
    state = s2.after;

    const s3 = step(state, registerNotice('measures-resume.txt'));
    expect(kinds(s3.changes)).toEqual(['resumed MOFCOM-2025-61', 'added MOFCOM-2027-20']);
    expect(find(s3.after, 'MOFCOM-2025-61')).toMatchObject({ status: 'in-force', suspendedUntil: null, sections: [] });
    state = s3.after;

    const s4 = step(state, registerNotice('measures-stop.txt'));
    expect(kinds(s4.changes)).toEqual(['ended MOFCOM-2025-61', 'added MOFCOM-2027-30']);
    expect(measures.statusOf(find(s4.after, 'MOFCOM-2025-61')!)).toBe('stopped');
    expect(s4.changes.find((c) => c.kind === 'ended')?.severity).toBe('high');
    expect(s4.flags).toEqual([]);
  });

  it('creates stubs for targets not seen yet, flagged, and fills them in when they arrive', () => {
    const s = step([], dayNotice('02-2025-70-suspension.html'));
    expect(kinds(s.changes).sort()).toEqual(
      ['MOFCOM-2025-55', 'MOFCOM-2025-56', 'MOFCOM-2025-57', 'MOFCOM-2025-58', 'MOFCOM-2025-61', 'MOFCOM-2025-62', 'MOFCOM-2025-70'].map((k) => `added ${k}`),
    );
    expect(find(s.after, 'MOFCOM-2025-61')).toMatchObject({ title: STUB_TITLE, kind: null, status: 'suspended', suspendedUntil: '2026-11-10' });
    expect(s.flags).toHaveLength(6);
    expect(s.flags[0]).toBe('MOFCOM-2025-55, named by MOFCOM-2025-70 (暂停实施), is not in the register yet: recorded as a stub measure');
    // The measure arrives later (a backfill in reverse order): its dates fill in, its lifecycle stays.
    const later = step(s.after, m61);
    expect(kinds(later.changes)).toEqual(['modified MOFCOM-2025-61']);
    expect(find(later.after, 'MOFCOM-2025-61')).toMatchObject({ title: m61.title, kind: 'dual-use', status: 'suspended', suspendedUntil: '2026-11-10' });
  });

  it('suspends one section only (2025 No.72 suspends 2024 No.46 §2)', () => {
    const base: Entry = {
      register: 'measures',
      key: 'MOFCOM-2024-46',
      fields: {
        title: '商务部公告2024年第46号 关于加强相关两用物项对美国出口管制的公告',
        number: '商务部公告2024年第46号',
        kind: 'dual-use',
        publishedAt: '2024-12-03',
        effectiveAt: '2024-12-03',
        status: 'in-force',
        suspendedUntil: null,
        lastActionBy: null,
        sections: [],
      },
    };
    const s = step([base], registerNotice('measures-2025-72-partial.txt'));
    expect(kinds(s.changes)).toEqual(['suspended MOFCOM-2024-46', 'added MOFCOM-2025-72']);
    expect(find(s.after, 'MOFCOM-2024-46')).toMatchObject({
      status: 'suspended',
      suspendedUntil: '2026-11-27',
      sections: ['§2'],
      lastActionBy: 'MOFCOM-2025-72',
    });
    expect(s.flags).toEqual([]);
    // Resuming that section puts the measure back in force as a whole.
    const resumed = actOn(find(s.after, 'MOFCOM-2024-46')!, { verb: 'resume', until: null }, { section: '§2' }, 'MOFCOM-2026-200');
    expect(resumed).toMatchObject({ status: 'in-force', sections: [], suspendedUntil: null });
  });

  it('keeps other suspended sections when one is resumed, and repeals', () => {
    let fields = actOn({ status: 'in-force', sections: [] }, { verb: 'suspend', until: '2026-01-01' }, { section: '§2' }, 'A');
    fields = actOn(fields, { verb: 'suspend', until: '2026-01-01' }, { section: '§3' }, 'B');
    expect(fields).toMatchObject({ status: 'suspended', sections: ['§2', '§3'] });
    fields = actOn(fields, { verb: 'resume', until: null }, { section: '§2' }, 'C');
    expect(fields).toMatchObject({ status: 'suspended', sections: ['§3'], lastActionBy: 'C' });
    expect(actOn(fields, { verb: 'repeal', until: null }, { section: null }, 'D')).toMatchObject({ status: 'repealed', sections: [], suspendedUntil: null });
    expect(actOn(fields, { verb: 'cancel', until: null }, { section: null }, 'D')).toMatchObject({ status: 'repealed' });
    expect(actOn({ status: 'suspended', suspendedUntil: '2026-01-01' }, { verb: 'extend', until: null }, { section: null }, 'E')).toMatchObject({
      status: 'suspended',
      suspendedUntil: '2026-01-01',
    });
  });

  it('flags a lifecycle notice that names nothing, a suspension without end date, and an action on an ended measure', () => {
    const empty = measuresFromNotice(
      { ...registerNotice('measures-stop.txt'), title: '商务部公告2027年第30号 关于停止实施有关公告的公告', text: '商务部决定停止实施有关公告。' },
      [],
    );
    expect(empty).toBeNull(); // classified other: lifecycle words but no number
    const noDate = measuresFromNotice({ ...registerNotice('measures-stop.txt'), text: '商务部决定暂停实施商务部公告2025年第61号。' }, step([], m61).after);
    expect(noDate?.flags).toContain('暂停实施 MOFCOM-2025-61: no end date found');
    const stopped = step(step([], m61).after, registerNotice('measures-stop.txt')).after;
    const again = measuresFromNotice(registerNotice('measures-resume.txt'), stopped);
    expect(again?.flags).toEqual(['恢复实施 MOFCOM-2025-61: the measure had already ended (stopped)']);
  });

  it('is idempotent: the same notice twice changes nothing the second time', () => {
    const once = step(step([], m61).after, dayNotice('02-2025-70-suspension.html'));
    const twice = step(once.after, dayNotice('02-2025-70-suspension.html'));
    expect(twice.changes).toEqual([]);
    expect(twice.flags).toEqual([]);
  });

  it('acts in the UEL series for working-mechanism notices', () => {
    const s = step([], registerNotice('uel-suspension.txt'));
    expect(kinds(s.changes)).toEqual(['added MOFCOM-UEL-2026-3', 'added MOFCOM-UEL-2027-1']);
    expect(find(s.after, 'MOFCOM-UEL-2026-3')).toMatchObject({ status: 'suspended', suspendedUntil: '2028-01-20' });
  });

  it('has the key pattern, key normalisation and search text of the register', () => {
    expect(measures.keyPattern.test('MOFCOM-2025-61')).toBe(true);
    expect(measures.keyPattern.test('MOFCOM-UEL-2025-9')).toBe(true);
    expect(measures.keyPattern.test('053302J')).toBe(false);
    expect(measures.normaliseKey!(' mofcom-uel-2025-9 ')).toBe('MOFCOM-UEL-2025-9');
    const entry = step([], m61).after[0]!;
    const text = measures.searchText(entry, () => null);
    expect(text.name).toContain('MOFCOM-2025-61');
    expect(text.name).toContain('稀土相关技术');
    expect(text.points).toContain('in-force');
  });
});

describe('refineChange', () => {
  const change = (before: Record<string, string | null>, after: Record<string, string | null>): Change => ({
    kind: 'modified',
    register: 'measures',
    key: 'K',
    before,
    after,
    fieldChanges: [{ field: 'status', kind: 'set', before: before.status ?? null, after: after.status ?? null }],
    severity: 'info',
  });

  it.each([
    [{ status: 'in-force' }, { status: 'suspended', suspendedUntil: '2026-11-10' }, 'suspended'],
    [{ status: 'suspended', suspendedUntil: '2026-11-10' }, { status: 'suspended', suspendedUntil: '2027-11-10' }, 'suspended'],
    [{ status: 'suspended' }, { status: 'in-force' }, 'resumed'],
    [{ status: 'in-force' }, { status: 'stopped' }, 'ended'],
    [{ status: 'suspended' }, { status: 'repealed' }, 'ended'],
    [{ status: 'controlled' }, { status: 'suspended' }, 'suspended'],
    [{ status: 'suspended' }, { status: 'listed' }, 'resumed'],
    [{ status: 'in-force', title: 'a' }, { status: 'in-force', title: 'b' }, 'modified'],
  ])('%o → %o is %s', (before, after, kind) => {
    const refined = measures.refineChange!(change(before, after));
    expect(refined.kind).toBe(kind);
    if (kind !== 'modified') expect(refined.severity).toBe('high');
  });

  it('leaves additions and removals alone', () => {
    const added: Change = { kind: 'added', register: 'measures', key: 'K', before: null, after: { status: 'suspended' }, fieldChanges: [], severity: 'high' };
    expect(measures.refineChange!(added)).toBe(added);
  });
});
