import { describe, expect, it } from 'vitest';
import type { FieldValue } from '../domain/types.js';
import { deadlines, noticeLabel } from './deadlines.js';

const measure = (key: string, fields: Record<string, FieldValue>): { key: string; fields: Record<string, FieldValue> } => ({
  key,
  fields: {
    title: '商务部公告',
    number: null,
    kind: 'dual-use',
    publishedAt: '2025-10-09',
    effectiveAt: '2025-10-09',
    status: 'in-force',
    suspendedUntil: null,
    lastActionBy: null,
    sections: [],
    ...fields,
  },
});
const suspended = (key: string, until: string, extra: Record<string, FieldValue> = {}): ReturnType<typeof measure> =>
  measure(key, { status: 'suspended', suspendedUntil: until, lastActionBy: 'MOFCOM-2025-70', ...extra });
const never = (): boolean => false;
// 2026-11-07 10:00 in Beijing
const NOW = new Date('2026-11-07T02:00:00Z');

describe('noticeLabel', () => {
  it('names MOFCOM, UEL and order keys as readers know them', () => {
    expect(noticeLabel('MOFCOM-2025-61')).toBe('2025 No.61');
    expect(noticeLabel('MOFCOM-UEL-2025-9')).toBe('UEL 2025 No.9');
    expect(noticeLabel('MOFCOM-ORDER-2025-6')).toBe('Order 2025 No.6');
    expect(noticeLabel('SOMETHING-ELSE')).toBe('SOMETHING-ELSE');
  });
});

describe('deadlines', () => {
  it('announces a suspension ending in 3 days, with the MESSAGES.md wording', () => {
    expect(deadlines([suspended('MOFCOM-2025-61', '2026-11-10')], NOW, never)).toEqual([
      {
        measureKey: 'MOFCOM-2025-61',
        number: '2025 No.61',
        kind: 'suspension-ends',
        date: '2026-11-10',
        daysLeft: 3,
        settled: false,
        text: '⏰ Suspension of 2025 No.61 ends 2026-11-10 (in 3 days). No notice yet on extension.',
      },
    ]);
  });

  it('announces it on the day, and on the 14th day before, but not on the 15th', () => {
    const list = [suspended('MOFCOM-2025-61', '2026-11-07'), suspended('MOFCOM-2025-62', '2026-11-21'), suspended('MOFCOM-2025-58', '2026-11-22')];
    const out = deadlines(list, NOW, never);
    expect(out.map((d) => [d.measureKey, d.daysLeft])).toEqual([
      ['MOFCOM-2025-61', 0],
      ['MOFCOM-2025-62', 14],
    ]);
    expect(out[0]!.text).toBe('⏰ Suspension of 2025 No.61 ends 2026-11-07 (today). No notice yet on extension.');
  });

  it('counts days on the China calendar by default, or in a zone given', () => {
    const late = new Date('2026-11-07T17:00:00Z'); // 2026-11-08 01:00 in Beijing, 2026-11-07 in New York
    expect(deadlines([suspended('MOFCOM-2025-61', '2026-11-10')], late, never)[0]!.daysLeft).toBe(2);
    expect(deadlines([suspended('MOFCOM-2025-61', '2026-11-10')], late, never, { timeZone: 'America/New_York' })[0]!.daysLeft).toBe(3);
  });

  it('warns about a suspension that ended with no notice since, using the UEL name and the section', () => {
    const asked: Array<[string, string]> = [];
    const out = deadlines(
      [suspended('MOFCOM-UEL-2025-9', '2026-11-01'), suspended('MOFCOM-2024-46', '2026-10-27', { sections: ['§2'] })],
      NOW,
      (key, since) => {
        asked.push([key, since]);
        return false;
      },
    );
    expect(out.map((d) => d.text)).toEqual([
      '⚠️ Suspension of 2024 No.46 §2 ended 2026-10-27; no notice since — check the official site.',
      '⚠️ Suspension of UEL 2025 No.9 ended 2026-11-01; no notice since — check the official site.',
    ]);
    expect(out.every((d) => d.kind === 'suspension-ended' && !d.settled && d.daysLeft < 0)).toBe(true);
    expect(asked).toEqual([
      ['MOFCOM-UEL-2025-9', '2026-11-01'],
      ['MOFCOM-2024-46', '2026-10-27'],
    ]);
  });

  it('marks a passed suspension settled when a later notice names the measure, or its status changed', () => {
    const out = deadlines(
      [suspended('MOFCOM-2025-61', '2026-11-01'), measure('MOFCOM-2025-62', { status: 'in-force', suspendedUntil: '2026-11-01' })],
      NOW,
      (key) => key === 'MOFCOM-2025-61',
    );
    expect(out.map((d) => [d.measureKey, d.kind, d.settled])).toEqual([
      ['MOFCOM-2025-61', 'suspension-ended', true],
      ['MOFCOM-2025-62', 'suspension-ended', true],
    ]);
    expect(out[0]!.text).toBe('✔ Suspension of 2025 No.61 ended 2026-11-01; settled by a later notice.');
  });

  it('drops "no notice yet" from an upcoming end once a notice named the measure in the window', () => {
    const out = deadlines([suspended('MOFCOM-2025-61', '2026-11-10')], NOW, (_key, since) => since === '2026-10-27');
    expect(out[0]).toMatchObject({ settled: true, text: '⏰ Suspension of 2025 No.61 ends 2026-11-10 (in 3 days).' });
  });

  it('announces an effective date in the window, but not one in force on publication, past, too far or of an ended measure', () => {
    const out = deadlines(
      [
        measure('MOFCOM-2026-96', { title: '关于对钪相关物项实施出口管制的公告', publishedAt: '2026-11-02', effectiveAt: '2026-11-15' }),
        measure('MOFCOM-2026-95', { publishedAt: '2026-11-02', effectiveAt: '2026-11-02' }),
        measure('MOFCOM-2026-90', { publishedAt: '2026-10-01', effectiveAt: '2026-11-06' }),
        measure('MOFCOM-2026-91', { publishedAt: '2026-10-01', effectiveAt: '2026-11-22' }),
        measure('MOFCOM-2026-92', { publishedAt: '2026-10-01', effectiveAt: '2026-11-12', status: 'repealed' }),
        measure('MOFCOM-2026-93', { title: '(not seen yet)', publishedAt: null, effectiveAt: '2026-11-08' }),
      ],
      NOW,
      never,
    );
    expect(out.map((d) => d.text)).toEqual([
      '⏰ 2026 No.93 takes effect 2026-11-08 (tomorrow).',
      '⏰ 2026 No.96 takes effect 2026-11-15 (in 8 days): 关于对钪相关物项实施出口管制的公告',
    ]);
    expect(out.every((d) => d.kind === 'takes-effect')).toBe(true);
  });

  it('ignores suspensions outside the window, malformed dates and measures in force', () => {
    const out = deadlines(
      [
        suspended('MOFCOM-2025-61', '2027-11-10'),
        suspended('MOFCOM-2025-62', '2026-13-01'),
        suspended('MOFCOM-2025-63', 'soon'),
        measure('MOFCOM-2025-64', {}),
      ],
      NOW,
      never,
    );
    expect(out).toEqual([]);
  });

  it('orders unsettled passed suspensions first, then upcoming dates, then settled ones', () => {
    const out = deadlines(
      [
        suspended('MOFCOM-2025-61', '2026-11-10'),
        suspended('MOFCOM-2025-10', '2026-10-01'),
        suspended('MOFCOM-2025-62', '2026-11-08'),
        suspended('MOFCOM-2025-11', '2026-10-15'),
      ],
      NOW,
      (key) => key === 'MOFCOM-2025-10',
    );
    expect(out.map((d) => d.measureKey)).toEqual(['MOFCOM-2025-11', 'MOFCOM-2025-62', 'MOFCOM-2025-61', 'MOFCOM-2025-10']);
  });
});
