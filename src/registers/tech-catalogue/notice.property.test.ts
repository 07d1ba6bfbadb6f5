// Property tests: whatever arrives (arbitrary unicode, or a mixture of the markers real
// notices use), parsing ends quickly without throwing, and no clause is lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noticeText, parseAdjustmentNotice } from './notice.js';

const MARKERS = [
  '\n',
  '\n',
  '\n',
  '1.',
  '2．',
  '3、',
  '１２．',
  '4.',
  '17.',
  '1.5',
  '删去',
  '删除',
  '将',
  '在',
  '新增',
  '增加',
  '（编号：',
  '(编号:',
  '编号：',
  '050302J',
  '05 0302J',
  '203913X',
  '0503O2J',
  '）',
  ')',
  '“',
  '”',
  '"',
  '「',
  '」',
  '控制要点',
  '控制要点1',
  '修改为：',
  '技术名称',
  '技术名称：',
  '控制要点：',
  '条目',
  '中',
  '。',
  '；',
  '，',
  '：',
  '、',
  '一、禁止出口部分',
  '二、限制出口部分',
  '（一）畜牧业',
  '（二）',
  '删除技术条目9项',
  '新增二十三项',
  '修改21项',
  '<p>',
  '</p>',
  '<br>',
  '&nbsp;',
  '【发布单位】',
  '商务部 科技部',
  '2020年8月28日',
  ' ',
  '\u3000',
];

const mixture = fc.array(fc.oneof(fc.constantFrom(...MARKERS), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 80 }).map((parts) => parts.join(''));

const anyText = fc.string({ unit: 'binary', maxLength: 400 });

const CLAUSE_LINE = /^(\d+)\s*[.、](?!\d)\s*(?:删去|删除|将|在|新增|增加|增补)/;

/** Clause numbers of lines that open a clause with a clause verb, read independently of the parser. */
function clauseLineNumbers(doc: string): string[] {
  return noticeText(doc)
    .split('\n')
    .map((line) => line.replace(/[０-９．]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)))
    .flatMap((line) => {
      const m = CLAUSE_LINE.exec(line);
      return m?.[1] ? [m[1]] : [];
    });
}

function checkNotice(doc: string): void {
  const started = performance.now();
  const result = parseAdjustmentNotice(doc);
  expect(performance.now() - started).toBeLessThan(2000);
  const accounted = new Set([...result.patches.map((p) => p.clause), ...result.unparsed.map((u) => u.clause)]);
  for (const number of clauseLineNumbers(doc)) expect(accounted.has(number)).toBe(true);
  for (const u of result.unparsed) expect(typeof u.reason).toBe('string');
  for (const p of result.patches) {
    const code = p.op === 'add-entry' ? p.entry.code : p.code;
    expect(code).toMatch(/^\d{6}[JX]$/);
  }
}

describe('parseAdjustmentNotice properties', () => {
  it('handles mixtures of notice markers: no crash, no hang, every clause line ends in a patch or in unparsed', () => {
    fc.assert(fc.property(mixture, checkNotice), { numRuns: 1500 });
  });

  it('handles arbitrary unicode the same way', () => {
    fc.assert(fc.property(anyText, checkNotice), { numRuns: 500 });
  });

  // Every clause shape, numbered in sequence; optionally under headings and with a marker
  // spliced in somewhere (which may break the clause, split it, or leave it intact).
  const SHAPES: ReadonlyArray<(n: string, code: string) => string> = [
    (n, code) => `${n}删去甲技术（编号：${code}）条目。`,
    (n, code) => `${n}将甲技术（编号：${code}）控制要点1修改为：“甲”。`,
    (n, code) => `${n}删去甲技术（编号：${code}）控制要点3。`,
    (n, code) => `${n}在甲技术（编号：${code}）中增加控制要点：\n“17.甲”\n“18.乙”。`,
    (n, code) => `${n}将甲技术（编号：${code}）技术名称修改为：“乙”，控制要点2修改为："丙"。`,
    (n, code) => `${n}新增“甲（编号：${code}）”条目，控制要点：“1.甲；2.乙”。`,
    (n, code) => `${n}新增以下技术条目：\n编号：${code}\n技术名称：甲\n控制要点：1.甲\n2.乙`,
  ];
  const clauseSpec = fc.record({
    shape: fc.integer({ min: 0, max: SHAPES.length - 1 }),
    code: fc.tuple(fc.integer({ min: 100000, max: 999999 }), fc.constantFrom('J', 'X')).map(([d, s]) => `${d}${s}`),
    dot: fc.constantFrom('.', '．', '、'),
    heading: fc.option(fc.constantFrom('一、禁止出口部分', '二、限制出口部分', '（一）畜牧业', '（二）计算机服务业'), { nil: undefined }),
    mutation: fc.option(fc.tuple(fc.nat(), fc.oneof(fc.constantFrom(...MARKERS), fc.string({ unit: 'binary', maxLength: 3 }))), { nil: undefined }),
  });
  type ClauseSpec = typeof clauseSpec extends fc.Arbitrary<infer T> ? T : never;
  const render = (specs: ClauseSpec[]): string =>
    specs
      .map((spec, i) => {
        let clause = (SHAPES[spec.shape] ?? SHAPES[0]!)(`${i + 1}${spec.dot}`, spec.code);
        if (spec.mutation) {
          const [at, marker] = spec.mutation;
          const cut = at % (clause.length + 1);
          clause = clause.slice(0, cut) + marker + clause.slice(cut);
        }
        return spec.heading ? `${spec.heading}\n${clause}` : clause;
      })
      .join('\n');

  it('accounts for every clause of notices built from real clause shapes, headings and mutations', () => {
    fc.assert(
      fc.property(fc.array(clauseSpec, { maxLength: 25 }), (specs) => checkNotice(render(specs))),
      { numRuns: 1000 },
    );
  });

  it('reads clean notices built from real clause shapes completely: one or more patches for every clause, nothing unparsed', () => {
    const clean = clauseSpec.map((spec) => ({ ...spec, heading: undefined, mutation: undefined }));
    fc.assert(
      fc.property(fc.array(clean, { minLength: 1, maxLength: 25 }), (specs) => {
        const result = parseAdjustmentNotice(render(specs));
        expect(result.unparsed).toEqual([]);
        expect([...new Set(result.patches.map((p) => p.clause))]).toEqual(specs.map((_, i) => String(i + 1)));
      }),
      { numRuns: 500 },
    );
  });

  it('never slows down badly on long hostile input', () => {
    const hostile = `1.将${'（编号：'.repeat(3000)}${' '.repeat(3000)}${'“'.repeat(2000)}\n`.repeat(3);
    const started = performance.now();
    parseAdjustmentNotice(hostile);
    parseAdjustmentNotice(`2.新增以下技术条目：\n${'编号：控制要点：1.'.repeat(3000)}`);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('stays linear on very long clauses: 1,500 block entries, a quote of 5,000 points', () => {
    const block = ['1.新增以下技术条目：'];
    for (let i = 0; i < 1500; i++) block.push(`编号：${100000 + i}X`, `技术名称：技术${i}`, '控制要点：1.甲乙丙丁', '2.子丑寅卯');
    const quote = ['1.新增“甲技术（编号：100000X）”条目，控制要点：“', ...Array.from({ length: 5000 }, (_, i) => `${i + 1}.要点；`), '”。'];
    const started = performance.now();
    const fromBlock = parseAdjustmentNotice(block.join('\n'));
    const fromQuote = parseAdjustmentNotice(quote.join('\n'));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(fromBlock.patches).toHaveLength(1500);
    const [added] = fromQuote.patches;
    expect(added?.op === 'add-entry' ? added.entry.controlPoints.length : 0).toBe(5000);
  });
});
