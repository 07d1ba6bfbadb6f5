import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ParseProblem, TechEntry } from '../../domain/types.js';
import { CatalogueParseError, parseCatalogue } from './parse.js';
import { estimateNestingDepth } from './parse-html.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/catalogue/${name}`, import.meta.url), 'utf8');

function entry(code: string, sector: string, name: string, controlPoints: string[]): TechEntry {
  return { code, part: code.endsWith('J') ? 'prohibited' : 'restricted', sector, name, controlPoints };
}

const where = (problems: readonly ParseProblem[]) => problems.map((p) => [p.line, p.text]);

const HEADER = '<tr><td>序号</td><td>编号</td><td>技术名称</td><td>控制要点</td></tr>';

describe('parseCatalogue: HTML (2023 table layout)', () => {
  it('reads tables with headings between them and points split by <br>, <p> or numbering', () => {
    const r = parseCatalogue(fixture('2023-tables.html'));
    expect(r.format).toBe('html');
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('053301J', '有色金属冶炼和压延加工业', '有色金属冶金技术', ['高纯金属的提纯工艺', '金属冶炼的节能工艺']),
      entry('053302J', '有色金属冶炼和压延加工业', '稀土的提炼、加工、利用技术', [
        '稀土萃取分离工艺技术',
        '稀土金属和合金材料的生产技术',
        '钐钴、钕铁硼、铈磁体制备技术',
        '硼酸氧钙稀土制备技术（原料：硼酸、氧化钙）',
      ]),
      entry('207301J', '研究和试验发展', '人类细胞克隆和基因编辑应用技术', ['人类细胞克隆技术', '人类基因编辑技术']),
      entry('083915X', '计算机、通信和其他电子设备制造业', '计算机应用技术', ['计算机辅助设计技术', '计算机辅助制造技术']),
      entry('203912X', '计算机、通信和其他电子设备制造业', '无人机技术', [
        '无人机气动设计技术',
        '无人机动力系统技术',
        '无人机通信链路技术',
        '无人机任务载荷技术',
        '飞行控制系统：自主导航、路径规划与避障规划算法及软件',
      ]),
      entry('203901X', '计算机、通信和其他电子设备制造业', '激光雷达系统', ['激光雷达发射与接收技术']),
      entry('086501X', '软件和信息技术服务业', '信息处理技术', [
        '中文及少数民族文字处理技术',
        '文字识别技术',
        '计算机辅助设计档案管理技术',
        '个性化信息推荐技术',
        '语音合成技术',
        '人工智能交互界面技术',
        '基于数据分析的个性化信息推送服务技术',
      ]),
      entry('086502X', '软件和信息技术服务业', '通用计算机软件', ['操作系统技术']),
      entry('206503X', '软件和信息技术服务业', '基础软件安全增强技术', ['基础软件的安全增强技术']),
      entry('200101X', '农业', '农作物杂种优势利用技术', ['农作物杂交种的亲本选育技术']),
    ]);
  });

  it('reads headings in full-width rows, rows split at a page break, rowspans and a table continued without its header', () => {
    const r = parseCatalogue(fixture('2023-colspan.html'));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('053302J', '有色金属冶炼和压延加工业', '稀土的提炼、加工、利用技术', [
        '稀土萃取分离工艺技术',
        '稀土金属和合金材料的生产技术',
        '钐钴、钕铁硼、铈磁体制备技术',
        '硼酸氧钙稀土制备技术',
      ]),
      entry('203912X', '计算机、通信和其他电子设备制造业', '无人机技术', [
        '无人机气动设计技术',
        '无人机动力系统技术',
        '飞行控制系统：自主导航、路径规划与避障规划算法及软件',
      ]),
      entry('083915X', '计算机、通信和其他电子设备制造业', '计算机应用技术', ['计算机辅助设计技术']),
      entry('086501X', '软件和信息技术服务业', '信息处理技术', ['中文及少数民族文字处理技术', '文字识别技术']),
    ]);
  });

  it('reads the labelled 2008 layout published as HTML paragraphs', () => {
    const r = parseCatalogue(fixture('labelled.html'));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('050302J', '畜牧业', '微生物肥料技术', ['作为肥料使用的微生物菌种资源']),
      entry('053302J', '有色金属冶炼及压延加工业', '稀土的提炼、加工、利用技术', ['稀土萃取分离工艺技术', '稀土金属及合金材料的生产技术']),
      entry('053401X', '金属制品业', '热处理技术', ['真空热处理工艺', '可控气氛热处理工艺']),
    ]);
  });

  it('reports malformed rows with their source lines and a document cut inside the last row', () => {
    const r = parseCatalogue(fixture('malformed.html'));
    expect(r.entries).toEqual([
      entry('053398J', '有色金属冶炼和压延加工业', '没有控制要点的条目', []),
      entry('053302J', '有色金属冶炼和压延加工业', '稀土的提炼、加工、利用技术', ['稀土萃取分离工艺技术']),
    ]);
    expect(where(r.problems)).toEqual([
      [7, '这段文字既不是标题也不是表格'],
      [10, '1 | 05330J | 编号位数不足 | 1.虚构'],
      [11, '2 | 083915X | 计算机应用技术 | 1.限制类编号出现在禁止部分'],
      [12, '3 | 053399J |  | 1.缺少技术名称'],
      [13, '4 | 053398J | 没有控制要点的条目 | '],
      [15, '这不是标题行'],
      [16, '6 | 053302J | 重复的编号 | 1.虚构'],
      [21, '7 | 086501X | 信息处理技术 | 1.中文及少数民族文字处理技术2.文字识'],
    ]);
    expect(r.problems.map((p) => p.reason)).toEqual([
      'cannot place this line: it is not a heading, a field label or part of an entry',
      'bad code "05330J": a code is six digits followed by J or X; entry not imported',
      'code 083915X ends in X (restricted) but sits under the 禁止出口 (prohibited) part heading; not imported',
      'entry 053399J has an empty 技术名称 (name); not imported',
      'entry 053398J has no control points (控制要点); imported with an empty list',
      'a row spanning the table is not a part or sector heading',
      'duplicate code 053302J; the first occurrence (line 14) is kept',
      'the document ends inside this table row; it may be truncated; entry not imported',
    ]);
  });

  it('keeps the entries of a table that lacks only its closing tag, and says so', () => {
    const doc = `<p>一、禁止出口部分</p>\n<table>${HEADER}\n<tr><td>1</td><td>050302J</td><td>微生物肥料技术</td><td>1.A</td></tr>\n`;
    const r = parseCatalogue(doc);
    expect(r.entries).toEqual([entry('050302J', '', '微生物肥料技术', ['A'])]);
    expect(r.problems).toEqual([{ line: 2, text: '<table>', reason: 'the table is not closed (no </table>); the document may be truncated' }]);
  });

  it('reads a catalogue table inside a layout table, a header without 序号 and inline sub-points in <p>', () => {
    const doc = `<html><body><table><tr><td>
      <div>中国禁止出口限制出口技术目录</div>
      <p>二、限制出口部分</p><p>（一）软件和信息技术服务业</p>
      <table>
        <tr><th>编号</th><th>技术名称</th><th>控制要点</th></tr>
        <tr><td>086501X</td><td>信息<br>处理技术</td><td><p>1.文字识别技术：</p><p>(1)印刷体</p><p>(2)手写体</p><p>2.语音合成技术</p></td></tr>
      </table>
    </td></tr></table></body></html>`;
    const r = parseCatalogue(doc);
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([entry('086501X', '软件和信息技术服务业', '信息处理技术', ['文字识别技术：\n(1)印刷体\n(2)手写体', '语音合成技术'])]);
  });

  it('reports a continuation row that has no entry before it', () => {
    const doc = `<p>一、禁止出口部分</p><table>${HEADER}\n<tr><td></td><td></td><td></td><td>3.孤立的控制要点</td></tr>\n<tr><td>1</td><td>050302J</td><td>微生物肥料技术</td><td>1.A</td></tr></table>`;
    const r = parseCatalogue(doc);
    expect(r.entries.map((e) => e.code)).toEqual(['050302J']);
    expect(r.problems).toEqual([
      {
        line: 2,
        text: ' |  |  | 3.孤立的控制要点',
        reason: 'a row with only 控制要点 and no entry before it in the table cannot be placed',
      },
    ]);
  });

  it('throws CatalogueParseError for HTML without catalogue entries', () => {
    expect(() => parseCatalogue('<html><body><p>hello</p><table><tr><td>a</td></tr></table></body></html>')).toThrow(
      /^The HTML document contains no catalogue entries\.$/,
    );
    expect(() => parseCatalogue(`<p>一、禁止出口部分</p><p>stray</p><table>${HEADER}</table>`)).toThrow(
      /^The HTML document contains no catalogue entries \(1 problem, the first at line 1: cannot place this line/,
    );
  });

  it('refuses absurdly deep nesting quickly instead of hanging', () => {
    expect(estimateNestingDepth('<div><p>a<br></div><div><span>x</span></div>')).toBe(2);
    const started = Date.now();
    expect(() => parseCatalogue('<div>'.repeat(100_000))).toThrow(CatalogueParseError);
    expect(() => parseCatalogue(`<p>一、禁止出口部分</p>${'<b>'.repeat(5000)}`)).toThrow(/nests elements about 5000 levels deep/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
