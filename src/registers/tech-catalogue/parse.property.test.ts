import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { CatalogueFormat, CatalogueParseResult, TechEntry } from '../../domain/types.js';
import { CODE_PATTERN, partOfCode } from './entry.js';
import { CatalogueParseError, parseCatalogue } from './parse.js';

/** Pieces real catalogues are made of, to mix with arbitrary text. */
const MARKERS = [
  '一、禁止出口部分',
  '二、限制出口部分',
  '（一）畜牧业',
  '(二)有色金属',
  '（十）',
  '编号：',
  '编号:',
  '编号 ',
  '技术名称：',
  '技术名称:',
  '控制要点：',
  '控制要点',
  '序号：1',
  '1．',
  '1.',
  '2、',
  '3:',
  '(1)',
  '（1）',
  '①',
  '050302J',
  '0503 02J',
  '０５０３０２Ｊ',
  '083915X',
  '053302J',
  '05030X',
  '&nbsp;',
  '&ensp;',
  '&#12288;',
  '&',
  '\n',
  '\r\n',
  '\r',
  ' ',
  '\u3000',
  '：',
  ':',
  '；',
  '。',
  '<table>',
  '</table>',
  '<tr>',
  '</tr>',
  '<td>',
  '</td>',
  '<td colspan="4">',
  '<td rowspan="3">',
  '<th>',
  '<br>',
  '<p>',
  '</p>',
  '<div>',
  '<!--',
  '-->',
  '序号',
  '编号',
  '技术名称',
  '控制要点',
  '{',
  '}',
  '[',
  ']',
  '"',
  '{"register":"tech-catalogue","entries":[',
  '— 3 —',
  '2.5',
  '第2.',
];

const TIME_LIMIT_MS = 10_000;

function lineCount(doc: string): number {
  return doc.split(/\r\n|\r|\n/).length;
}

function checkInvariants(r: CatalogueParseResult, doc: string): void {
  expect(r.entries.length).toBeGreaterThan(0);
  const codes = new Set<string>();
  for (const e of r.entries) {
    expect(e.code).toMatch(CODE_PATTERN);
    expect(e.part).toBe(partOfCode(e.code));
    expect(codes.has(e.code)).toBe(false);
    codes.add(e.code);
    expect(e.name.length).toBeGreaterThan(0);
    expect(e.name).toBe(e.name.trim());
    for (const p of e.controlPoints) {
      expect(typeof p).toBe('string');
      expect(p.trim().length).toBeGreaterThan(0);
    }
  }
  const lines = lineCount(doc);
  for (const p of r.problems) {
    expect(Number.isInteger(p.line)).toBe(true);
    expect(p.line).toBeGreaterThanOrEqual(0);
    expect(p.line).toBeLessThanOrEqual(lines);
    expect(p.reason.length).toBeGreaterThan(0);
  }
}

/** Parses `doc`; the only acceptable failure is a CatalogueParseError with a message. Each parse must be fast. */
function parsesOrRefuses(doc: string, format?: CatalogueFormat, limitMs = 2000): void {
  const started = performance.now();
  try {
    checkInvariants(parseCatalogue(doc, format ? { format } : undefined), doc);
  } catch (err) {
    if (!(err instanceof CatalogueParseError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
  }
  expect(performance.now() - started).toBeLessThan(limitMs);
}

const markerSoup = fc
  .array(fc.oneof(fc.constantFrom(...MARKERS), fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 })), {
    maxLength: 120,
  })
  .map((parts) => parts.join(''));

// Every property runs for at most TIME_LIMIT_MS (fast-check stops early and passes); each single
// parse is also bounded, so a hang shows up as a failure rather than a stuck test run.
describe('parseCatalogue never hangs or crashes', () => {
  it('on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000, size: 'max' }), (doc) => parsesOrRefuses(doc)),
      { numRuns: 300, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
  });

  it('on mixtures of catalogue markers and arbitrary text, in every format', () => {
    fc.assert(
      fc.property(markerSoup, fc.constantFrom<CatalogueFormat | undefined>(undefined, 'text', 'html', 'json'), (doc, format) => parsesOrRefuses(doc, format)),
      { numRuns: 600, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
  });

  it('on pathological repetitions, within a time bound', () => {
    const docs = [
      '1.'.repeat(50_000),
      `一、禁止出口部分\n编号：050302J\n技术名称：A\n控制要点：${'1．'.repeat(30_000)}`,
      `一、禁止出口部分\n编号：050302J\n技术名称：A\n控制要点：${'x\n'.repeat(50_000)}`,
      '编号：'.repeat(30_000),
      '('.repeat(100_000),
      '&'.repeat(100_000),
      ' '.repeat(100_000) + 'x',
      '-'.repeat(100_000) + 'x',
      '1'.repeat(100_000) + 'x',
      `<p>${' \n'.repeat(50_000)}</p>`,
      `<table><tr>${'<td colspan="64" rowspan="1000">x'.repeat(200)}</table>`,
      `<table>${'<tr><td rowspan="1000">1</td></tr>'.repeat(2_000)}</table>`,
      `<p>一、禁止出口部分</p><table><tr><td>序号</td><td>编号</td><td>技术名称</td><td>控制要点</td></tr><tr><td>1</td><td>050302J</td><td>A</td><td>${'1.<br>'.repeat(10_000)}</td></tr></table>`,
      '<a'.repeat(50_000),
      '<p '.repeat(50_000),
      '<div>'.repeat(900) + 'x',
    ];
    for (const doc of docs) {
      for (const format of [undefined, 'text', 'html'] as const) {
        parsesOrRefuses(doc, format, 3000);
      }
    }
  });
});

// ── Round trip: a generated catalogue printed in each layout parses back to the same entries ──

const CJK = [...'稀土金属合成材料技术工艺制备生产加工利用提炼分离萃取磁体信息处理软件系统设备装置控制导航雷达激光农作物种子品种'];
const cjkText = (min: number, max: number) =>
  fc.array(fc.constantFrom(...CJK, '、', '（', '）'), { minLength: min, maxLength: max }).map((a) => `技${a.join('')}术`);
const SECTORS = ['畜牧业', '医药制造业', '有色金属冶炼和压延加工业', '软件和信息技术服务业', '农、林、牧、渔业'];

const entryArb: fc.Arbitrary<TechEntry> = fc
  .record({
    stem: fc.integer({ min: 0, max: 999_999 }),
    suffix: fc.constantFrom('J', 'X'),
    sector: fc.constantFrom(...SECTORS),
    name: cjkText(1, 12),
    controlPoints: fc.array(cjkText(1, 20), { minLength: 1, maxLength: 6 }),
  })
  .map(({ stem, suffix, sector, name, controlPoints }) => {
    const code = `${String(stem).padStart(6, '0')}${suffix}`;
    return { code, part: partOfCode(code), sector, name, controlPoints };
  });

const catalogueArb = fc
  .uniqueArray(entryArb, { minLength: 1, maxLength: 25, selector: (e) => e.code })
  .map((entries) => [...entries.filter((e) => e.part === 'prohibited'), ...entries.filter((e) => e.part === 'restricted')]);

const PART_HEADINGS = { prohibited: '一、禁止出口部分', restricted: '二、限制出口部分' } as const;
const ORDINALS = ['一', '二', '三', '四', '五'];

function asText(entries: TechEntry[], style: number): string {
  const out = ['中国禁止出口限制出口技术目录（生成的测试文档）'];
  let part = '';
  let sector = '';
  entries.forEach((e, i) => {
    if (e.part !== part) {
      out.push(PART_HEADINGS[e.part]);
      part = e.part;
      sector = '';
    }
    if (e.sector !== sector) {
      out.push(`（${ORDINALS[SECTORS.indexOf(e.sector)] ?? '一'}）${e.sector}`);
      sector = e.sector;
    }
    const colon = style % 2 === 0 ? '：' : ':';
    out.push(`${i + 1}${style % 3 === 0 ? '．' : '、'}编号${colon}${e.code}`, `技术名称${colon}${e.name}`);
    if (style % 4 === 0) {
      out.push(`控制要点${colon}${e.controlPoints.map((p, k) => `${k + 1}．${p}`).join(' ')}`);
    } else {
      out.push(`控制要点${colon}`, ...e.controlPoints.map((p, k) => `${k + 1}.${p}`), '');
    }
  });
  return out.join(style % 5 === 0 ? '\r\n' : '\n');
}

function asHtml(entries: TechEntry[], style: number): string {
  const out = ['<html><body><!-- generated test document --><h1>中国禁止出口限制出口技术目录</h1>'];
  let part = '';
  let sector = '';
  const header = '<tr><td>序号</td><td>编号</td><td>技术名称</td><td>控制要点</td></tr>';
  entries.forEach((e, i) => {
    if (e.part !== part) {
      if (part !== '') out.push('</table>');
      out.push(`<p>${PART_HEADINGS[e.part]}</p><table>${header}`);
      part = e.part;
      sector = '';
    }
    if (e.sector !== sector) {
      out.push(`<tr><td colspan="4">（${ORDINALS[SECTORS.indexOf(e.sector)] ?? '一'}）${e.sector}</td></tr>`);
      sector = e.sector;
    }
    const points =
      style % 3 === 0
        ? e.controlPoints.map((p, k) => `<p>${k + 1}.${p}</p>`).join('')
        : e.controlPoints.map((p, k) => `${k + 1}.${p}`).join(style % 3 === 1 ? '<br>' : '');
    out.push(`<tr><td>${i + 1}</td><td>${e.code}</td><td>${e.name}</td><td>${points}</td></tr>`);
  });
  out.push('</table></body></html>');
  return out.join('\n');
}

describe('round trip', () => {
  it('parses a generated catalogue back to the same entries from text, HTML and JSON', () => {
    fc.assert(
      fc.property(catalogueArb, fc.nat(59), (entries, style) => {
        const text = parseCatalogue(asText(entries, style));
        expect(text.problems).toEqual([]);
        expect(text.entries).toEqual(entries);
        const html = parseCatalogue(asHtml(entries, style));
        expect(html.problems).toEqual([]);
        expect(html.entries).toEqual(entries);
        const json = parseCatalogue(JSON.stringify({ register: 'tech-catalogue', asOf: '2023-12-21', entries }));
        expect(json.entries).toEqual(entries);
      }),
      { numRuns: 150, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
  });

  it('parses a catalogue of about 6000 entries within a time bound', () => {
    const entries = fc.sample(entryArb, { numRuns: 6000, seed: 42 });
    const unique = [...new Map(entries.map((e) => [e.code, e])).values()];
    const ordered = [...unique.filter((e) => e.part === 'prohibited'), ...unique.filter((e) => e.part === 'restricted')];
    for (const doc of [asText(ordered, 1), asHtml(ordered, 1)]) {
      const started = performance.now();
      const r = parseCatalogue(doc);
      expect(r.entries).toHaveLength(ordered.length);
      expect(performance.now() - started).toBeLessThan(5000);
    }
  });
});
