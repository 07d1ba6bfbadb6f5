import { describe, expect, it } from 'vitest';
import { compact, decodeEntities, effectiveDateInText, effectiveDateOf, fold, isoFromParts, lineLabel, noticeLines, printed, trimSet } from './text.js';

describe('text helpers', () => {
  it('decodes entities and folds widths one unit for one', () => {
    expect(decodeEntities('二〇二五年&nbsp; 第5号&amp;&#x4e00;&#19968;&bogus;')).toBe('二〇二五年  第5号&一一&bogus;');
    const s = '（管制编码：１Ｃ９０２）　';
    expect(fold(s)).toBe('(管制编码:1C902) ');
    expect(fold(s)).toHaveLength(s.length);
    expect(compact('商务部　公告 2025年&nbsp;第61号')).toBe('商务部公告2025年第61号');
    expect(printed(' 钐&nbsp;（金属）  ')).toBe('钐 （金属）');
    expect(trimSet('；；名称，。', '；，。')).toBe('名称');
    expect(trimSet('  x ', '', 'start')).toBe('x ');
  });

  it('reads effective dates', () => {
    expect(effectiveDateInText('三、本公告自2026年12月1日起正式实施。', '2026-11-02')).toBe('2026-12-01');
    expect(effectiveDateInText('本公告自发布之日起正式实施。', '2026-11-02')).toBe('2026-11-02');
    expect(effectiveDateInText('自公布之日起施行', null)).toBeNull();
    expect(effectiveDateInText('自２０２６年２月３０日起实施', '2026-01-01')).toBeNull();
    expect(effectiveDateInText('无日期', '2026-01-01')).toBeNull();
    expect(effectiveDateOf({ text: '无日期', publishedAt: '2026-01-01', effectiveAt: null })).toBe('2026-01-01');
    expect(effectiveDateOf({ text: '自2026年12月1日起实施', publishedAt: '2026-01-01', effectiveAt: '2026-03-01' })).toBe('2026-03-01');
    expect(isoFromParts(2026, 2, 29)).toBeNull();
  });

  it('labels the lines of body and attachments', () => {
    const lines = noticeLines({ text: 'a\n\n b&nbsp;', attachmentTexts: ['c'] });
    expect(lines).toEqual([
      { source: 'text', line: 1, text: 'a' },
      { source: 'text', line: 3, text: ' b ' },
      { source: 'attachment 1', line: 1, text: 'c' },
    ]);
    expect(lines.map(lineLabel)).toEqual(['line 1', 'line 3', 'attachment 1 line 1']);
  });
});
