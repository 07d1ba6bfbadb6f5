import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ParseProblem, TechEntry } from '../../domain/types.js';
import { CatalogueParseError, detectFormat, parseCatalogue } from './parse.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/catalogue/${name}`, import.meta.url), 'utf8');

function entry(code: string, sector: string, name: string, controlPoints: string[]): TechEntry {
  return { code, part: code.endsWith('J') ? 'prohibited' : 'restricted', sector, name, controlPoints };
}

/** Problems as [line, text] pairs, for exact comparison; reasons are checked separately. */
const where = (problems: readonly ParseProblem[]) => problems.map((p) => [p.line, p.text]);

function parseError(doc: string, opts?: Parameters<typeof parseCatalogue>[1]): CatalogueParseError {
  try {
    parseCatalogue(doc, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueParseError);
    return err as CatalogueParseError;
  }
  throw new Error('expected a CatalogueParseError');
}

describe('detectFormat', () => {
  it('detects JSON, HTML and text', () => {
    expect(detectFormat('  {"register":"tech-catalogue","entries":[]}')).toBe('json');
    expect(detectFormat('\ufeff[]')).toBe('json');
    expect(detectFormat('<table><tr><td>1</td></tr></table>')).toBe('html');
    expect(detectFormat('<HTML><BODY>x</BODY></HTML>')).toBe('html');
    expect(detectFormat('标题\n<p>一、禁止出口部分</p>')).toBe('html');
    expect(detectFormat('<p class="x">a</p>')).toBe('html');
    expect(detectFormat('一、禁止出口部分\n编号：050302J')).toBe('text');
    expect(detectFormat('编号：050302J&nbsp;')).toBe('text');
    expect(detectFormat('压力<p 0.5MPa')).toBe('text');
  });

  it('falls back to HTML or text when a document starts like JSON but does not parse', () => {
    expect(detectFormat('{"register": "tech-catalogue", "entries": [')).toBe('text');
    expect(detectFormat('[1] <table>')).toBe('html');
  });
});

describe('parseCatalogue: labelled text (2008 layout)', () => {
  it('reads the 2008 layout into entries with parts and sectors', () => {
    const r = parseCatalogue(fixture('2008-labelled.txt'));
    expect(r.format).toBe('text');
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('050302J', '畜牧业', '微生物肥料技术', ['作为肥料使用的微生物菌种资源', '微生物肥料的发酵生产工艺']),
      entry('050304J', '畜牧业', '蚕类品种、繁育和蚕茧采集加工利用技术', ['蚕遗传资源', '蚕种繁育技术']),
      entry('052701J', '医药制造业', '咖啡因生产技术', ['合成咖啡因的工艺技术']),
      entry('053301J', '有色金属冶炼及压延加工业', '有色金属冶金技术', ['高纯金属的提纯工艺']),
      entry('053302J', '有色金属冶炼及压延加工业', '稀土的提炼、加工、利用技术', [
        '稀土萃取分离工艺技术',
        '稀土金属及合金材料的生产技术',
        '钐钴、钕铁硼、铈磁体制备技术',
        '硼酸氧钙稀土的制备技术',
      ]),
      entry('053401X', '金属制品业', '热处理技术', ['真空热处理工艺', '可控气氛热处理工艺']),
      entry('053707X', '交通运输设备制造业', '航空材料生产技术', ['航空用高温合金的熔炼工艺']),
    ]);
  });

  it('tolerates mixed widths, &nbsp;/&ensp;, spaces in codes, blank lines, ordinal styles and sub-points', () => {
    const r = parseCatalogue(fixture('2008-messy.txt'));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('050302J', '畜牧业', '微生物肥料技术', ['作为肥料使用的微生物菌种资源', '微生物肥料的发酵生产工艺']),
      entry('050304J', '畜牧业', '蚕类品种、繁育和蚕茧采集加工利用技术', [
        '除杂交一代蚕品种以外的蚕遗传资源',
        '蚕种繁育技术，包括：\n（1）原种繁育工艺\n(2) 杂交制种工艺',
        '蚕茧采集加工利用技术',
      ]),
      entry('053302J', '有色金属冶炼及压延加工业', '稀土的提炼、加工、利用技术', [
        '稀土萃取分离工艺技术',
        '稀土金属及合金材料的生产技术',
        '钐钴、钕铁硼、铈磁体制备技术',
      ]),
      entry('053401X', '金属制品业', '热处理技术', ['真空热处理工艺（炉温 1000 ℃ 以上）', '用于 high-temperature alloy 的可控气氛热处理工艺']),
    ]);
  });

  it('gives the same result for CRLF line endings', () => {
    const lf = parseCatalogue(fixture('malformed.txt'));
    const crlf = parseCatalogue(fixture('malformed.txt').replace(/\n/g, '\r\n'));
    expect(crlf).toEqual(lf);
  });

  it('reports every malformed entry with its line and emits only the sound ones', () => {
    const r = parseCatalogue(fixture('malformed.txt'));
    expect(r.entries).toEqual([
      entry('050302J', '畜牧业', '微生物肥料技术', ['作为肥料使用的微生物菌种资源']),
      entry('059902J', '畜牧业', '没有控制要点的条目', []),
      entry('059903J', '畜牧业', '编号后出现无法归类行的条目', ['虚构']),
      entry('083915X', '计算机、通信和其他电子设备制造业', '计算机应用技术', ['虚构的第一点', '虚构的第二点']),
    ]);
    expect(where(r.problems)).toEqual([
      [5, '这一行不是标题也不是字段'],
      [9, '2．编号：05030X'],
      [12, '3．编号：083915X'],
      [15, '4．技术名称：缺少编号的条目'],
      [17, '5．编号：059901J'],
      [19, '6．编号：059902J'],
      [21, '7．编号：050302J'],
      [25, '＃＃＃ 乱码 ###'],
      [30, '9．编号：053302J'],
      [36, '— 3 —'],
    ]);
    const reasons = r.problems.map((p) => p.reason);
    expect(reasons[0]).toMatch(/cannot place this line/);
    expect(reasons[1]).toBe('bad code "05030X": a code is six digits followed by J or X; entry not imported');
    expect(reasons[2]).toBe('code 083915X ends in X (restricted) but sits under the 禁止出口 (prohibited) part heading; not imported');
    expect(reasons[3]).toBe('entry has no 编号 (code); not imported');
    expect(reasons[4]).toBe('entry 059901J has no 技术名称 (name); not imported');
    expect(reasons[5]).toBe('entry 059902J has no control points (控制要点); imported with an empty list');
    expect(reasons[6]).toBe('duplicate code 050302J; the first occurrence (line 6) is kept');
    expect(reasons[7]).toMatch(/cannot place this line after 编号/);
    expect(reasons[8]).toBe('code 053302J ends in J (prohibited) but sits under the 限制出口 (restricted) part heading; not imported');
    expect(reasons[9]).toMatch(/page number/);
  });

  it('parses what is complete in a truncated document and reports the cut entry', () => {
    const r = parseCatalogue(fixture('truncated.txt'));
    expect(r.entries).toEqual([entry('050302J', '畜牧业', '微生物肥料技术', ['作为肥料使用的微生物菌种资源'])]);
    expect(r.problems).toEqual([
      {
        line: 8,
        text: '2．编号：050304J',
        reason: 'entry 050304J ends the document without control points (控制要点); the document may be truncated; not imported',
      },
    ]);
  });

  it('reports a document cut right after 控制要点： or after a lone ordinal', () => {
    const head = '一、禁止出口部分\n编号：050302J\n技术名称：微生物肥料技术\n控制要点：1．A\n';
    const cutLabel = parseCatalogue(`${head}编号：050304J\n技术名称：蚕类品种、繁育和蚕茧采集加工利用技术\n控制要点：`);
    expect(cutLabel.entries.map((e) => e.code)).toEqual(['050302J']);
    expect(cutLabel.problems).toEqual([expect.objectContaining({ line: 5, reason: expect.stringContaining('may be truncated') as string })]);
    const cutOrdinal = parseCatalogue(`${head}2．`);
    expect(cutOrdinal.problems).toEqual([{ line: 5, text: '2．', reason: 'entry has no 编号 (code); the document may be truncated; not imported' }]);
  });

  it('takes the part from the code suffix when the document has no part headings at all', () => {
    const r = parseCatalogue(fixture('no-part-headings.txt'));
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('053301J', '有色金属冶炼和压延加工业', '有色金属冶金技术', ['高纯金属的提纯工艺']),
      entry('053707X', '交通运输设备制造业', '航空材料生产技术', ['航空用高温合金的熔炼工艺', '航空用复合材料的成型工艺']),
    ]);
  });

  it('reports entries that come before the first part heading when the document has part headings', () => {
    const doc = [
      '目录',
      '编号：050302J',
      '技术名称：微生物肥料技术',
      '控制要点：1．A',
      '一、禁止出口部分',
      '编号：050304J',
      '技术名称：蚕类品种、繁育和蚕茧采集加工利用技术',
      '控制要点：1．B',
    ].join('\n');
    const r = parseCatalogue(doc);
    expect(r.entries.map((e) => e.code)).toEqual(['050304J']);
    expect(r.problems).toEqual([{ line: 2, text: '编号：050302J', reason: 'entry 050302J comes before the first part heading; not imported' }]);
  });

  it('reads an entry printed on one line, labels without colons and sector headings with half-width brackets', () => {
    const doc = [
      '二、限制出口部分',
      '(三) 软件和信息技术服务业',
      '1. 编号：086501X 技术名称：信息处理技术 控制要点：1．中文及少数民族文字处理技术 2．文字识别技术',
      '编号 086502X',
      '技术名称 通用计算机软件',
      '控制要点 1．操作系统技术',
    ].join('\n');
    const r = parseCatalogue(doc);
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      entry('086501X', '软件和信息技术服务业', '信息处理技术', ['中文及少数民族文字处理技术', '文字识别技术']),
      entry('086502X', '软件和信息技术服务业', '通用计算机软件', ['操作系统技术']),
    ]);
  });

  it('treats 序号 after an ordinal as the same entry', () => {
    const r = parseCatalogue(
      '一、禁止出口部分\n1．\n序号：1\n编号：050302J\n技术名称：微生物肥料技术\n控制要点：1．A\n2．序号：2 编号：050304J\n技术名称：蚕类品种、繁育和蚕茧采集加工利用技术\n控制要点：1．B',
    );
    expect(r.problems).toEqual([]);
    expect(r.entries.map((e) => e.code)).toEqual(['050302J', '050304J']);
  });

  it('ignores the title and preamble but reports unknown lines after the first part heading', () => {
    const doc = [
      '中国禁止出口限制出口技术目录',
      '附件',
      '一、禁止出口部分',
      '附件说明文字',
      '编号：050302J',
      '技术名称：微生物肥料技术',
      '控制要点：1．A',
    ].join('\n');
    const r = parseCatalogue(doc);
    expect(r.entries.map((e) => e.code)).toEqual(['050302J']);
    expect(where(r.problems)).toEqual([[4, '附件说明文字']]);
  });

  it('reports text before a field label', () => {
    const r = parseCatalogue('一、禁止出口部分\n注意 编号：050302J\n技术名称：微生物肥料技术\n控制要点：1．A');
    expect(r.entries.map((e) => e.code)).toEqual(['050302J']);
    expect(r.problems).toEqual([{ line: 2, text: '注意 编号：050302J', reason: 'text "注意" before a field label cannot be placed' }]);
  });
});

describe('parseCatalogue: documents that are not catalogues', () => {
  it('throws CatalogueParseError for empty, title-only or garbage documents', () => {
    for (const doc of ['', '   \n\n', 'hello world', '中国禁止出口限制出口技术目录\n一、禁止出口部分\n（一）畜牧业', '\u0000\uffff\ud800 ###']) {
      expect(parseError(doc).message, JSON.stringify(doc)).toMatch(/^The text document contains no catalogue entries.*\.$/);
    }
  });

  it('says why when every entry was rejected', () => {
    const err = parseError('一、禁止出口部分\n编号：083915X\n技术名称：计算机应用技术\n控制要点：1．A');
    expect(err.message).toBe(
      'The text document contains no catalogue entries (1 problem, the first at line 2: code 083915X ends in X (restricted) but sits under the 禁止出口 (prohibited) part heading; not imported).',
    );
    expect(err.problems).toHaveLength(1);
  });

  it('recognises a broken JSON document', () => {
    expect(parseError('{"register": "tech-catalogue", "entries": [').message).toMatch(/^The document starts like JSON but is not valid JSON \(.+\)\.$/);
    expect(parseError('一、禁止出口部分', { format: 'json' }).message).toMatch(/^The document is not valid JSON/);
  });

  it('honours a forced format', () => {
    const html = fixture('2023-colspan.html');
    expect(parseCatalogue(html, { format: 'html' }).format).toBe('html');
    expect(() => parseCatalogue(html, { format: 'json' })).toThrow(CatalogueParseError);
  });
});
