import { describe, expect, it } from 'vitest';
import { registerNotice } from '../measures/day-fixtures.test-support.js';
import { noticeLines, type NoticeLine } from '../measures/text.js';
import { customsCodesIn, expandCodes, normaliseControlCode, parseDualUseItems } from './parse.js';

const lines = (text: string): NoticeLine[] => noticeLines({ text, attachmentTexts: [] });

describe('control codes', () => {
  it.each([
    ['1C902', '1C902'],
    ['1e902.A', '1E902.a'],
    ['１Ｃ９０２', '1C902'],
    [' 2B902 ', '2B902'],
    ['1E902.a.b', '1E902.a.b'],
    ['1X902', null],
    ['1C90', null],
    ['1C9021', null],
    ['C902', null],
  ])('%s → %s', (input, expected) => {
    expect(normaliseControlCode(input)).toBe(expected);
  });

  it('expands ranges and sibling sub-items', () => {
    expect(expandCodes('1C907.a–b')).toEqual({ codes: ['1C907.a', '1C907.b'], bad: [] });
    expect(expandCodes('1C907.a - c')).toEqual({ codes: ['1C907.a', '1C907.b', '1C907.c'], bad: [] });
    expect(expandCodes('1C907.a～b')).toEqual({ codes: ['1C907.a', '1C907.b'], bad: [] });
    expect(expandCodes('1C911.b-1C911.c')).toEqual({ codes: ['1C911.b', '1C911.c'], bad: [] });
    expect(expandCodes('1C902.a、b')).toEqual({ codes: ['1C902.a', '1C902.b'], bad: [] });
    expect(expandCodes('1C902、1C903，1C904')).toEqual({ codes: ['1C902', '1C903', '1C904'], bad: [] });
    expect(expandCodes('1C902、1X903')).toEqual({ codes: ['1C902'], bad: ['1X903'] });
    expect(expandCodes('')).toEqual({ codes: [], bad: [] });
  });

  it('reads reference customs codes in both wordings and separators', () => {
    expect(customsCodesIn('（参考海关商品编号：2805301910、2805301990）')).toEqual(['2805301910', '2805301990']);
    expect(customsCodesIn('参考税则号列：28469019，28273990; 2826.19.90')).toEqual(['28469019', '28273990', '28261990']);
    expect(customsCodesIn('(参考海关商品编号: ２８０５３０１９１０)')).toEqual(['2805301910']);
    expect(customsCodesIn('海关商品编号 2805301910')).toEqual([]);
  });
});

describe('parseDualUseItems', () => {
  it('reads the line shape of the brief', () => {
    const r = parseDualUseItems(lines('1.钐、钐铁合金、钐钴合金（参考海关商品编号：2805301910、2805301990）（管制编码：1C902）'));
    expect(r).toEqual({
      items: [{ code: '1C902', description: '钐、钐铁合金、钐钴合金', customsCodes: ['2805301910', '2805301990'], at: 'line 1' }],
      unparsed: [],
      flags: [],
    });
  });

  it('reads the malformed fixture: good items kept, bad codes and empty items reported', () => {
    const r = parseDualUseItems(noticeLines(registerNotice('dual-use-malformed.txt')));
    const byCode = Object.fromEntries(r.items.map((i) => [i.code, i]));
    expect(Object.keys(byCode).sort()).toEqual([
      '1C902.a',
      '1C902.b',
      '1C903',
      '1C906',
      '1C907.a',
      '1C907.b',
      '1C907.c',
      '1C908.a',
      '1C910',
      '1C911.b',
      '1C911.c',
      '1C912',
    ]);
    // A wrapped item, and an item whose reference codes and control code sit on lines of their own.
    expect(byCode['1C906']).toMatchObject({ description: '镥靶材及镥合金靶材，用于溅射镀膜的高纯镥金属', customsCodes: ['2805301990'] });
    expect(byCode['1C902.a']).toMatchObject({ description: '钐钴永磁体及其制品', customsCodes: ['8505111000'] });
    expect(byCode['1C902.b']?.description).toBe('钐钴永磁体及其制品');
    // Upper-case sub-item normalised; customs codes separated by 、 and ，; full-width code; codes after the control code.
    expect(byCode['1C908.a']?.customsCodes).toEqual(['28469099', '28469091']);
    expect(byCode['1C910']).toMatchObject({ description: '铒金属及其合金', customsCodes: ['2805301700'] });
    // Two items on one line.
    expect(byCode['1C912']?.description).toBe('铥金属');
    expect(byCode['1C911.b']?.description).toBe('钬金属');
    // The later 1C903 wins, and says so.
    expect(byCode['1C903']?.description).toBe('钆靶材');
    expect(r.flags).toEqual(['1C903 is printed twice with different text (line 7, line 19); the later one is kept']);
    expect(r.unparsed.map((u) => [u.clause, u.reason])).toEqual([
      ['line 8', 'control code "1X904" does not match \\d[A-E]\\d{3}(.a)*'],
      ['line 9', 'control code "1C90" does not match \\d[A-E]\\d{3}(.a)*'],
      ['line 17', 'no item description before 管制编码 1C909'],
      ['line 18', '管制编码 without a control code'],
    ]);
  });

  it('reads attachments and labels their lines', () => {
    const r = parseDualUseItems(noticeLines({ text: '见附件。', attachmentTexts: ['附件\n1.钪金属（管制编码：1C907.a）'] }));
    expect(r.items).toEqual([{ code: '1C907.a', description: '钪金属', customsCodes: [], at: 'attachment 1 line 2' }]);
  });

  it('does not reach back over headings, intro sentences or another item', () => {
    const r = parseDualUseItems(lines('一、对以下物项实施出口管制：\n（管制编码：1C909）\n1.钆（管制编码：1C903）\n（管制编码：1C904）'));
    expect(r.items).toEqual([{ code: '1C903', description: '钆', customsCodes: [], at: 'line 3' }]);
    expect(r.unparsed.map((u) => u.reason)).toEqual(['no item description before 管制编码 1C909', 'no item description before 管制编码 1C904']);
  });

  it('handles truncated text and entities left in the text', () => {
    expect(parseDualUseItems(lines('1.钐、钐铁合金（参考海关商品编号：28053019')).items).toEqual([]);
    const cut = parseDualUseItems(lines('1.钐、钐铁合金&nbsp;（管制编码：1C9'));
    expect(cut.items).toEqual([]);
    expect(cut.unparsed).toHaveLength(1);
    expect(parseDualUseItems(lines('1.钐&nbsp;金属（管制编码：1C902）')).items[0]?.description).toBe('钐 金属');
  });

  it('finds nothing in a text without control codes', () => {
    expect(parseDualUseItems(lines('商务部决定将以下3家美国实体列入出口管制管控名单。\n1.阿克米公司（Acme Corp）'))).toEqual({
      items: [],
      unparsed: [],
      flags: [],
    });
  });
});
