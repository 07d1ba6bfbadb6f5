import { describe, it, expect } from 'vitest';
import { splitControlPoints, splitPointLines } from './parse-points.js';

const lines = (...texts: string[]) => texts.map((text, i) => ({ text, line: i + 1 }));

describe('splitPointLines', () => {
  it('splits points printed on one line and strips their numbers', () => {
    expect(splitPointLines(lines('1．稀土萃取分离工艺技术 2．稀土金属及合金材料的生产技术')).points).toEqual([
      '稀土萃取分离工艺技术',
      '稀土金属及合金材料的生产技术',
    ]);
  });

  it('accepts every number mark: 1. 1． 1、 1: 1：, full- or half-width digits', () => {
    expect(splitPointLines(lines('1.A', '2．B', '3、C', '4:D', '５：E', '６、 F')).points).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('drops the separator a point ends with (；) so 1.A；2.B gives A and B', () => {
    expect(splitPointLines(lines('1.稀土萃取；2.稀土金属。')).points).toEqual(['稀土萃取', '稀土金属']);
  });

  it('splits numbering without separators after Chinese text (1.…2.…)', () => {
    expect(splitPointLines(lines('1.人类细胞克隆技术2.人类基因编辑技术')).points).toEqual(['人类细胞克隆技术', '人类基因编辑技术']);
  });

  it('does not split decimals, numbers out of sequence or 第N', () => {
    expect(splitPointLines(lines('1．直径小于2.5毫米的颗粒 2．温度3.5至4.0之间')).points).toEqual(['直径小于2.5毫米的颗粒', '温度3.5至4.0之间']);
    expect(splitPointLines(lines('1．见第2.项和3.项 2．其他')).points).toEqual(['见第2.项和3.项', '其他']);
  });

  it('appends sub-points on their own lines to the preceding point after a line break', () => {
    expect(splitPointLines(lines('1．稀土萃取', '2．稀土金属及合金材料的生产技术：', '（1）熔盐电解', '(2) 金属热还原', '① 其他', '3．磁体')).points).toEqual([
      '稀土萃取',
      '稀土金属及合金材料的生产技术：\n（1）熔盐电解\n(2) 金属热还原\n① 其他',
      '磁体',
    ]);
  });

  it('keeps inline sub-points inline, as printed', () => {
    expect(splitPointLines(lines('1．稀土金属生产技术：（1）熔盐电解；（2）金属热还原 2．磁体')).points).toEqual([
      '稀土金属生产技术：（1）熔盐电解；（2）金属热还原',
      '磁体',
    ]);
  });

  it('joins wrapped lines: directly between Chinese characters, with a space between English words', () => {
    expect(splitPointLines(lines('1．稀土金属及合金材料的', '生产技术', '2．用于 high-temperature', 'alloy 的工艺')).points).toEqual([
      '稀土金属及合金材料的生产技术',
      '用于 high-temperature alloy 的工艺',
    ]);
  });

  it('treats unnumbered text as one point and drops empty points', () => {
    expect(splitPointLines(lines('除杂交一代蚕品种以外的蚕遗传资源')).points).toEqual(['除杂交一代蚕品种以外的蚕遗传资源']);
    expect(splitPointLines(lines('1．', '', '2．B')).points).toEqual(['B']);
    expect(splitPointLines(lines()).points).toEqual([]);
  });

  it('reports a line-start number out of sequence but keeps the point', () => {
    const r = splitPointLines([
      { text: '1．A', line: 10 },
      { text: '3．C', line: 11 },
    ]);
    expect(r.points).toEqual(['A', 'C']);
    expect(r.problems).toEqual([{ line: 11, text: '3．C', reason: 'control point numbered 3 where 2 was expected' }]);
  });
});

describe('splitControlPoints', () => {
  it('splits one string with entities and line breaks', () => {
    expect(splitControlPoints('1．A&nbsp;2．B\n3．C')).toEqual(['A', 'B', 'C']);
    expect(splitControlPoints('')).toEqual([]);
  });
});
