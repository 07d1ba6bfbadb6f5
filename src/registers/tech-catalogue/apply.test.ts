import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Patch, TechEntry } from '../../domain/types.js';
import { applyPatches } from './apply.js';
import { parseAdjustmentNotice } from './notice.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/notices/${name}`, import.meta.url), 'utf8');
}

function baseline(name: string): TechEntry[] {
  return (JSON.parse(fixture(name)) as { entries: TechEntry[] }).entries;
}

function byCode(entries: readonly TechEntry[], code: string): TechEntry | undefined {
  return entries.find((e) => e.code === code);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const entry = (code: string, points: string[], sector = '甲业', name = `${code}技术`): TechEntry => ({
  code,
  part: code.endsWith('J') ? 'prohibited' : 'restricted',
  sector,
  name,
  controlPoints: points,
});

describe('applyPatches on the 2020-No.38-style notice', () => {
  const before = deepFreeze(baseline('baseline-2008-excerpt.json'));
  const { entries, errors } = applyPatches(before, parseAdjustmentNotice(fixture('2020-38-article.html')).patches);

  it('applies every clause without errors and keeps the catalogue order, new entries after their sector', () => {
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.code)).toEqual([
      '050304J',
      '052705J',
      '053301J',
      '053302J',
      '053401X',
      '053707X',
      '056101X',
      '056102X',
      '056103X',
      '056105X',
      '056201X',
    ]);
  });

  it('edits control points against the numbering before the notice', () => {
    expect(byCode(entries, '050304J')?.controlPoints).toEqual(['除杂交一代蚕品种以外的蚕遗传资源', '蚕种繁育和蚕茧采集加工技术']);
    expect(byCode(entries, '053401X')?.controlPoints).toEqual(['化学热处理技术', '真空热处理及可控气氛热处理工艺技术', '热处理设备设计技术']);
    expect(byCode(entries, '053707X')).toEqual({
      code: '053707X',
      part: 'restricted',
      sector: '交通运输设备制造业',
      name: '航空航天材料制备技术',
      controlPoints: ['航空用钛合金制备技术', '航空用复合材料制备技术', '高温合金单晶叶片制备技术'],
    });
    const info = byCode(entries, '056101X')?.controlPoints ?? [];
    expect(info).toHaveLength(19);
    expect(info.slice(15)).toEqual(['信息抽取技术', '语音合成技术', '人工智能交互界面技术', '基于数据分析的个性化信息推送服务技术']);
    expect(byCode(entries, '056201X')?.controlPoints.at(-1)).toBe('基于人工智能的代码生成技术');
  });

  it('adds the new entries as printed', () => {
    expect(byCode(entries, '056103X')).toEqual({
      code: '056103X',
      part: 'restricted',
      sector: '计算机服务业',
      name: '智能语音交互技术',
      controlPoints: ['远场语音识别技术', '多语种语音合成技术，包括情感语音合成技术'],
    });
  });
});

describe('applyPatches on the 2025-No.28-style notice', () => {
  it('removes two entries, rewrites the gallium point, appends the lithium points and adds the cathode entry', () => {
    const before = deepFreeze(baseline('baseline-2023-excerpt.json'));
    const { entries, errors } = applyPatches(before, parseAdjustmentNotice(fixture('2025-28.txt')).patches);
    expect(errors).toEqual([]);
    expect(entries.map((e) => e.code)).toEqual(['203302J', '203201X', '086501X', '203912X', '203801X']);
    expect(byCode(entries, '203201X')?.controlPoints).toEqual([
      '铜冶炼技术',
      '铝冶炼技术',
      '镓的提取、提纯技术，包括从氧化铝生产母液、锌冶炼渣中提取镓的技术及高纯镓（纯度≥99.9999%）制备技术',
      '钨、钼冶炼技术',
      '锑冶炼技术',
      '铟、铋冶炼技术',
      '锂辉石提锂技术',
      '盐湖卤水提锂技术，包括吸附法、萃取法、膜分离法',
      '金属锂及锂合金制备技术',
    ]);
    expect(byCode(entries, '203801X')).toEqual({
      code: '203801X',
      part: 'restricted',
      sector: '电气机械和器材制造业',
      name: '电池正极材料制备技术',
      controlPoints: ['磷酸铁锂制备技术', '磷酸锰铁锂制备技术', '磷酸盐正极原材料制备技术'],
    });
  });
});

describe('applyPatches semantics', () => {
  it('reads every index against the numbering before the notice: replacements, then deletions from the highest, then additions', () => {
    const before = deepFreeze([entry('100001X', ['p1', 'p2', 'p3', 'p4', 'p5'])]);
    const patches: Patch[] = [
      { op: 'delete-control-point', clause: '1', code: '100001X', index: 1 },
      { op: 'add-control-points', clause: '2', code: '100001X', points: ['p6'] },
      { op: 'replace-control-point', clause: '3', code: '100001X', index: 4, text: 'P4' },
      { op: 'delete-control-point', clause: '4', code: '100001X', index: 3 },
      { op: 'add-control-points', clause: '5', code: '100001X', points: ['p7', 'p8'] },
    ];
    expect(applyPatches(before, patches)).toEqual({
      entries: [entry('100001X', ['p2', 'P4', 'p5', 'p6', 'p7', 'p8'])],
      errors: [],
    });
  });

  it('reports what cannot apply, with its clause, in patch order, and applies the rest', () => {
    const before = deepFreeze([entry('100001J', ['a', 'b']), entry('100002X', ['c']), entry('100003X', ['d'])]);
    const patches: Patch[] = [
      { op: 'replace-control-point', clause: '1', code: '100001J', index: 3, text: 'x' },
      { op: 'delete-entry', clause: '2', code: '999999X' },
      { op: 'add-entry', clause: '3', entry: entry('100002X', ['dup']) },
      { op: 'delete-control-point', clause: '4', code: '999998X', index: 1 },
      { op: 'delete-entry', clause: '5', code: '100003X' },
      { op: 'rename-entry', clause: '6', code: '100003X', name: 'gone' },
      { op: 'replace-control-point', clause: '7', code: '100001J', index: 1, text: 'A' },
      { op: 'replace-control-point', clause: '8', code: '100001J', index: 1, text: 'A again' },
      { op: 'delete-control-point', clause: '9', code: '100002X', index: 1 },
      { op: 'delete-control-point', clause: '10', code: '100002X', index: 1 },
      { op: 'delete-entry', clause: '11', code: '100003X' },
      { op: 'add-entry', clause: '12', entry: entry('100004X', ['n']) },
      { op: 'add-entry', clause: '13', entry: entry('100004X', ['n2']) },
      { op: 'replace-control-point', clause: '14', code: '100004X', index: 1, text: 'y' },
      { op: 'add-control-points', clause: '15', code: '100004X', points: ['m'] },
      { op: 'add-entry', clause: '16', entry: { ...entry('100005J', ['q']), part: 'restricted' } },
      { op: 'rename-entry', clause: '17', code: '100001J', name: 'first' },
      { op: 'rename-entry', clause: '18', code: '100001J', name: 'second' },
    ];
    const { entries, errors } = applyPatches(before, patches);
    expect(errors).toEqual([
      { clause: '1', text: 'replace-control-point 100001J #3', reason: 'control point 3 is out of range: 100001J has 2 control points' },
      { clause: '2', text: 'delete-entry 999999X', reason: 'no entry 999999X to delete' },
      { clause: '3', text: 'add-entry 100002X 100002X技术', reason: 'entry 100002X already exists' },
      { clause: '4', text: 'delete-control-point 999998X #1', reason: 'no entry 999998X' },
      { clause: '6', text: 'rename-entry 100003X to gone', reason: 'entry 100003X is deleted by clause 5' },
      { clause: '8', text: 'replace-control-point 100001J #1', reason: 'control point 1 of 100001J is already replaced by clause 7' },
      { clause: '10', text: 'delete-control-point 100002X #1', reason: 'control point 1 of 100002X is already deleted by clause 9' },
      { clause: '11', text: 'delete-entry 100003X', reason: 'entry 100003X is already deleted by clause 5' },
      { clause: '13', text: 'add-entry 100004X 100004X技术', reason: 'entry 100004X is already added by clause 12' },
      { clause: '14', text: 'replace-control-point 100004X #1', reason: 'control point 1 is out of range: 100004X is new in this notice' },
      { clause: '16', text: 'add-entry 100005J 100005J技术', reason: 'code 100005J does not belong to the restricted part' },
      { clause: '18', text: 'rename-entry 100001J to second', reason: 'entry 100001J is already renamed by clause 17' },
    ]);
    expect(entries).toEqual([{ ...entry('100001J', ['A', 'b']), name: 'first' }, entry('100002X', []), entry('100004X', ['n', 'm'])]);
  });

  it('inserts a new entry after the last entry of its part and sector, else of its part; prohibited ones go first', () => {
    const before = deepFreeze([entry('100001J', ['a'], '甲业'), entry('100002X', ['b'], '甲业'), entry('100003X', ['c'], '乙业')]);
    const patches: Patch[] = [
      { op: 'add-entry', clause: '1', entry: entry('100004X', ['d'], '甲业') },
      { op: 'add-entry', clause: '2', entry: entry('100005X', ['e'], '丙业') },
      { op: 'add-entry', clause: '3', entry: entry('100006X', ['f'], '甲业') },
      { op: 'add-entry', clause: '4', entry: entry('100007J', ['g'], '丁业') },
    ];
    expect(applyPatches(before, patches).entries.map((e) => e.code)).toEqual(['100001J', '100007J', '100002X', '100004X', '100006X', '100003X', '100005X']);
    expect(applyPatches([entry('100002X', ['b'])], [patches[3] as Patch]).entries.map((e) => e.code)).toEqual(['100007J', '100002X']);
  });

  it('returns copies: editing the result never reaches the input', () => {
    const before = [entry('100001X', ['a'])];
    const { entries } = applyPatches(before, []);
    entries[0]?.controlPoints.push('b');
    expect(before[0]?.controlPoints).toEqual(['a']);
  });
});

describe('applyPatches properties', () => {
  const code = fc.tuple(fc.integer({ min: 100000, max: 100009 }), fc.constantFrom('J', 'X')).map(([n, s]) => `${n}${s}`);
  const techEntry = fc.record({
    code,
    part: fc.constantFrom('prohibited' as const, 'restricted' as const),
    sector: fc.constantFrom('', '甲业', '乙业'),
    name: fc.string({ maxLength: 5 }),
    controlPoints: fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 }),
  });
  const clause = fc.integer({ min: 1, max: 30 }).map(String);
  const index = fc.integer({ min: -1, max: 7 });
  const patch: fc.Arbitrary<Patch> = fc.oneof(
    fc.record({ op: fc.constant('delete-entry' as const), clause, code }),
    fc.record({ op: fc.constant('replace-control-point' as const), clause, code, index, text: fc.string({ maxLength: 4 }) }),
    fc.record({ op: fc.constant('delete-control-point' as const), clause, code, index }),
    fc.record({ op: fc.constant('add-control-points' as const), clause, code, points: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }) }),
    fc.record({ op: fc.constant('rename-entry' as const), clause, code, name: fc.string({ maxLength: 4 }) }),
    fc.record({ op: fc.constant('add-entry' as const), clause, entry: techEntry }),
  );
  const uniqueEntries = fc.uniqueArray(techEntry, { selector: (e) => e.code, maxLength: 8 });

  it('never mutates its input, and every patch either applies or is reported', () => {
    fc.assert(
      fc.property(uniqueEntries, fc.array(patch, { maxLength: 25 }), (entries, patches) => {
        const before = deepFreeze(structuredClone(entries));
        const frozenPatches = deepFreeze(structuredClone(patches));
        const { entries: after, errors } = applyPatches(before, frozenPatches);
        expect(before).toEqual(entries);
        const clauses = new Set(patches.map((p) => p.clause));
        for (const error of errors) expect(clauses.has(error.clause)).toBe(true);
        const applied = (op: Patch['op']): number => patches.filter((p) => p.op === op).length - errors.filter((e) => e.text.startsWith(`${op} `)).length;
        expect(after.length).toBe(entries.length - applied('delete-entry') + applied('add-entry'));
        const original = new Set(entries.map((e) => e.code));
        const kept = new Set(after.map((e) => e.code));
        expect(after.map((e) => e.code).filter((c) => original.has(c))).toEqual(entries.map((e) => e.code).filter((c) => kept.has(c)));
        expect(new Set(after.map((e) => e.code)).size).toBe(after.length);
      }),
      { numRuns: 300 },
    );
  });
});
