import { describe, expect, it } from 'vitest';
import { contextOf, lifecycleActions, noticeReferences, ownKeyOf, type ReferenceContext } from './lifecycle.js';

const MOFCOM: ReferenceContext = { prefix: 'MOFCOM', ownKey: 'MOFCOM-2025-70', year: 2025 };
const UEL: ReferenceContext = { prefix: 'MOFCOM-UEL', ownKey: 'MOFCOM-UEL-2025-8', year: 2025 };
const keys = (text: string, ctx = MOFCOM) => noticeReferences(text, ctx).map((r) => (r.section ? `${r.key} ${r.section}` : r.key));

describe('noticeReferences', () => {
  it.each([
    [
      '2025年第55号、56号、57号、58号、61号、62号公告',
      ['MOFCOM-2025-55', 'MOFCOM-2025-56', 'MOFCOM-2025-57', 'MOFCOM-2025-58', 'MOFCOM-2025-61', 'MOFCOM-2025-62'],
    ],
    ['商务部公告2025年第61号', ['MOFCOM-2025-61']],
    ['2025年第55、56号公告', ['MOFCOM-2025-55', 'MOFCOM-2025-56']],
    ['2025年第55号和第56号公告', ['MOFCOM-2025-55', 'MOFCOM-2025-56']],
    ['2025年第55号公告、第56号公告', ['MOFCOM-2025-55', 'MOFCOM-2025-56']],
    ['商务部 海关总署公告2025年第57号', ['MOFCOM-2025-57']],
    ['商务部　海关总署公告２０２５年第５７号', ['MOFCOM-2025-57']],
    ['商务部公告2025年&nbsp; 第61号', ['MOFCOM-2025-61']],
    ['商务部公告二〇二五年第六十一号', ['MOFCOM-2025-61']],
    ['商务部令2025年第6号', ['MOFCOM-ORDER-2025-6']],
    ['不可靠实体清单工作机制公告2025年第1号', ['MOFCOM-UEL-2025-1']],
    ['不可靠实体清单工作机制〔2025〕9号', ['MOFCOM-UEL-2025-9']],
    ['商务部公告2024年第46号第二款', ['MOFCOM-2024-46 §2']],
    ['2024年第46号公告第3条', ['MOFCOM-2024-46 Art.3']],
    ['2025年10月9日发布的2025年第55号公告', ['MOFCOM-2025-55']],
    ['2026年11月10日', []],
    ['2025年第70号公告', []],
  ])('%s', (text, expected) => {
    expect(keys(text)).toEqual(expected);
  });

  it('reads bare numbers in the speaker series, and carries an explicit issuer along a list', () => {
    expect(keys('2025年第4号、第6号', UEL)).toEqual(['MOFCOM-UEL-2025-4', 'MOFCOM-UEL-2025-6']);
    expect(keys('〔2025〕9号', UEL)).toEqual(['MOFCOM-UEL-2025-9']);
    expect(keys('商务部公告2025年第61号', UEL)).toEqual(['MOFCOM-2025-61']);
    expect(keys('不可靠实体清单工作机制公告2025年第4号、2025年第6号', MOFCOM)).toEqual(['MOFCOM-UEL-2025-4', 'MOFCOM-UEL-2025-6']);
  });
});

describe('lifecycleActions', () => {
  const act = (text: string, key = 'MOFCOM-2025-70') =>
    lifecycleActions({ key, title: '', text }).map((a) => ({
      verb: a.verb,
      targets: a.targets.map((t) => (t.section ? `${t.key} ${t.section}` : t.key)),
      until: a.until,
    }));

  it('reads 2025 No.70: a suspension of six notices until a date given in the next clause', () => {
    expect(act('一、暂停实施2025年10月9日发布的2025年第55号、56号、57号、58号、61号、62号公告，暂停至2026年11月10日。')).toEqual([
      {
        verb: 'suspend',
        targets: ['MOFCOM-2025-55', 'MOFCOM-2025-56', 'MOFCOM-2025-57', 'MOFCOM-2025-58', 'MOFCOM-2025-61', 'MOFCOM-2025-62'],
        until: '2026-11-10',
      },
    ]);
  });

  it('reads 2025 No.72: one section suspended, the target before the verb', () => {
    expect(act('商务部公告2024年第46号第二款暂停实施至2026年11月27日。', 'MOFCOM-2025-72')).toEqual([
      { verb: 'suspend', targets: ['MOFCOM-2024-46 §2'], until: '2026-11-27' },
    ]);
  });

  it('reads extension, resumption, stop, repeal and cancellation', () => {
    expect(act('继续暂停实施2025年第61号公告，暂停至2027年11月10日。')).toEqual([{ verb: 'extend', targets: ['MOFCOM-2025-61'], until: '2027-11-10' }]);
    expect(act('将2025年第61号公告的暂停期限延长至2027年11月10日。')).toEqual([{ verb: 'extend', targets: ['MOFCOM-2025-61'], until: '2027-11-10' }]);
    expect(act('自2027年3月15日起恢复实施商务部公告2025年第61号。')).toEqual([{ verb: 'resume', targets: ['MOFCOM-2025-61'], until: null }]);
    expect(act('恢复实施2025年第55号公告，停止实施2025年第56号公告，废止2025年第57号公告，取消2025年第58号公告。')).toEqual([
      { verb: 'resume', targets: ['MOFCOM-2025-55'], until: null },
      { verb: 'stop', targets: ['MOFCOM-2025-56'], until: null },
      { verb: 'repeal', targets: ['MOFCOM-2025-57'], until: null },
      { verb: 'cancel', targets: ['MOFCOM-2025-58'], until: null },
    ]);
  });

  it('does not take the basis of a decision, its own number, or a sentence without a verb for a target', () => {
    expect(act('根据商务部公告2025年第70号，经国务院批准，继续暂停实施2025年第61号公告，暂停至2027年11月10日。')).toEqual([
      { verb: 'extend', targets: ['MOFCOM-2025-61'], until: '2027-11-10' },
    ]);
    expect(act('根据2025年第55号公告，对相关物项实施出口管制。')).toEqual([]);
    expect(act('【发布文号】商务部公告2025年第70号\n本公告自发布之日起正式实施。')).toEqual([]);
    expect(act('商务部决定暂停实施商务部公告2025年第70号。')).toEqual([]);
    expect(act('截至2026年11月10日，暂停期间的申请照常受理。')).toEqual([]);
  });

  it('attaches targets listed after the verb, and numbers printed without a year', () => {
    expect(act('决定暂停实施以下公告：2025年第55号、2025年第56号。')).toEqual([
      { verb: 'suspend', targets: ['MOFCOM-2025-55', 'MOFCOM-2025-56'], until: null },
    ]);
    expect(act('暂停实施第55、56号公告。')).toEqual([{ verb: 'suspend', targets: ['MOFCOM-2025-55', 'MOFCOM-2025-56'], until: null }]);
    expect(act('对2025年第55号公告，暂停实施至2026年1月1日。')).toEqual([{ verb: 'suspend', targets: ['MOFCOM-2025-55'], until: '2026-01-01' }]);
  });

  it('falls back to the title when the body names nothing', () => {
    const actions = lifecycleActions({ key: 'MOFCOM-2026-97', title: '关于暂停实施商务部公告2026年第96号的公告', text: '商务部决定暂停实施上述公告。' });
    expect(actions.map((a) => [a.verb, a.targets.map((t) => t.key)])).toEqual([['suspend', ['MOFCOM-2026-96']]]);
  });
});

describe('contextOf and ownKeyOf', () => {
  it('finds the speaker from key, number, head block or title', () => {
    expect(ownKeyOf({ key: 'MOFCOM-2025-70', title: '' })).toBe('MOFCOM-2025-70');
    expect(ownKeyOf({ number: '商务部公告2025年第70号', title: '' })).toBe('MOFCOM-2025-70');
    expect(ownKeyOf({ title: '', text: '【发布文号】商务部公告2025年&nbsp;第70号\n正文' })).toBe('MOFCOM-2025-70');
    expect(ownKeyOf({ title: '商务部公告2025年第70号 关于暂停实施2025年第55号公告的公告' })).toBe('MOFCOM-2025-70');
    expect(ownKeyOf({ title: '关于暂停实施2025年第55号公告的公告' })).toBeNull();
  });

  it('speaks in the UEL series for the working mechanism', () => {
    expect(contextOf({ title: '不可靠实体清单工作机制关于暂停实施有关措施的公告' }).prefix).toBe('MOFCOM-UEL');
    expect(contextOf({ key: 'MOFCOM-UEL-2025-9', title: '' })).toEqual({ prefix: 'MOFCOM-UEL', ownKey: 'MOFCOM-UEL-2025-9', year: 2025 });
    expect(contextOf({ title: '关于…的公告', publishedAt: '2026-03-01' })).toEqual({ prefix: 'MOFCOM', ownKey: null, year: 2026 });
  });
});
