import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyChanges, applyFieldChanges, diff, diffFields, diffList, summarise } from './diff.js';
import type { Entry, FieldValue } from './types.js';

const tech = (key: string, name: string, controlPoints: string[], sector = '有色金属冶炼和压延加工业'): Entry => ({
  register: 'tech-catalogue',
  key,
  fields: { part: key.endsWith('J') ? 'prohibited' : 'restricted', sector, name, controlPoints },
});

describe('diff', () => {
  it('reports an added prohibited entry as critical and a removed one as medium', () => {
    const before = [tech('050302J', '微生物肥料技术', ['a'])];
    const after = [tech('052801J', '用于人的细胞克隆和基因编辑技术', ['x'])];
    const changes = diff(before, after);
    expect(changes.map((c) => [c.kind, c.key, c.severity])).toEqual([
      ['removed', '050302J', 'medium'],
      ['added', '052801J', 'critical'],
    ]);
    expect(changes[0]!.before).toEqual(before[0]!.fields);
    expect(changes[0]!.after).toBeNull();
  });

  it('reports a control point edit with its index and old and new text', () => {
    const before = [tech('050304J', '蚕类品种、繁育和蚕茧采集加工利用技术', ['蚕遗传资源', '繁育技术'])];
    const after = [tech('050304J', '蚕类品种、繁育和蚕茧采集加工利用技术', ['除杂交一代蚕品种以外的蚕遗传资源', '繁育技术'])];
    const [change] = diff(before, after);
    expect(change).toMatchObject({ kind: 'modified', key: '050304J' });
    expect(change!.fieldChanges).toEqual([
      { field: 'controlPoints', kind: 'item-changed', index: 0, before: '蚕遗传资源', after: '除杂交一代蚕品种以外的蚕遗传资源' },
    ]);
  });

  it('reports a part change with the same six-digit stem as one move', () => {
    const before = [tech('052702J', '核黄素（VB2）生产工艺', ['a'])];
    const after = [tech('052702X', '核黄素（VB2）生产工艺', ['a'])];
    const changes = diff(before, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'moved', key: '052702X', fromKey: '052702J', severity: 'high' });
    expect(changes[0]!.fieldChanges).toEqual([{ field: 'part', kind: 'set', before: 'prohibited', after: 'restricted' }]);
  });

  it('reports the same name under a new code as one move', () => {
    const before = [tech('056101X', '信息处理技术', ['a', 'b'])];
    const after = [tech('086501X', '信息处理技术', ['a', 'b', 'c'])];
    const changes = diff(before, after);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ kind: 'moved', key: '086501X', fromKey: '056101X' });
    expect(changes[0]!.fieldChanges).toEqual([{ field: 'controlPoints', kind: 'item-added', index: 2, after: 'c' }]);
  });

  it('rates a move into the prohibited part as critical', () => {
    const changes = diff([tech('053707X', '航空材料技术', [])], [tech('053707J', '航空材料技术', [])]);
    expect(changes[0]).toMatchObject({ kind: 'moved', severity: 'critical' });
  });

  it('sorts changes by register, key and kind and is deterministic', () => {
    const before = [tech('000003X', 'c', []), tech('000001X', 'a', ['1'])];
    const after = [tech('000002X', 'b', []), tech('000001X', 'a', ['2'])];
    const first = diff(before, after);
    expect(first.map((c) => c.key)).toEqual(['000001X', '000002X', '000003X']);
    expect(diff([...before].reverse(), [...after].reverse())).toEqual(first);
  });

  it('refuses a state with a duplicate key', () => {
    expect(() => diff([tech('000001X', 'a', []), tech('000001X', 'b', [])], [])).toThrow(/duplicate entry/);
  });

  it('counts changes by kind', () => {
    const changes = diff([tech('000001X', 'a', []), tech('000002X', 'b', [])], [tech('000001X', 'a2', []), tech('000003J', 'c', [])]);
    expect(summarise(changes)).toEqual({ added: 1, removed: 1, modified: 1, moved: 0 });
  });
});

describe('diffList', () => {
  it('finds an insertion in the middle without touching the rest', () => {
    expect(diffList('p', ['a', 'b', 'c'], ['a', 'x', 'b', 'c'])).toEqual([{ field: 'p', kind: 'item-added', index: 1, after: 'x' }]);
  });
  it('finds a deletion in the middle', () => {
    expect(diffList('p', ['a', 'b', 'c'], ['a', 'c'])).toEqual([{ field: 'p', kind: 'item-removed', index: 1, before: 'b' }]);
  });
});

describe('diffFields', () => {
  it('reports a renamed entry as a set of the name field', () => {
    expect(diffFields({ name: 'a', part: 'restricted' }, { name: 'b', part: 'restricted' })).toEqual([{ field: 'name', kind: 'set', before: 'a', after: 'b' }]);
  });
});

const key = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.constantFrom('J', 'X')).map(([n, s]) => `${String(n).padStart(6, '0')}${s}`);
const entryArb = fc.record({
  key,
  name: fc.constantFrom('甲', '乙', '丙', '丁', '稀土', '锂'),
  sector: fc.constantFrom('农业', '制造业'),
  controlPoints: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 6 }),
});
const stateArb = fc
  .uniqueArray(entryArb, { selector: (e) => e.key, maxLength: 25 })
  .map((list) => list.map((e) => tech(e.key, e.name, e.controlPoints, e.sector)));

function canonical(entries: readonly Entry[]): Entry[] {
  return [...entries].sort((a, b) => (a.key < b.key ? -1 : 1));
}

describe('diff properties', () => {
  it('applying diff(before, after) to before gives after', () => {
    fc.assert(
      fc.property(stateArb, stateArb, (before, after) => {
        expect(canonical(applyChanges(before, diff(before, after)))).toEqual(canonical(after));
      }),
      { numRuns: 500 },
    );
  });

  it('applying field changes reproduces the new fields', () => {
    const fields = fc.dictionary(
      fc.constantFrom('name', 'sector', 'controlPoints', 'aliases'),
      fc.oneof(fc.string({ maxLength: 4 }), fc.array(fc.constantFrom('a', 'b', 'c', 'a'), { maxLength: 8 }), fc.constant(null)),
    ) as fc.Arbitrary<Record<string, FieldValue>>;
    fc.assert(
      fc.property(fields, fields, (a, b) => {
        const result = applyFieldChanges(a, diffFields(a, b));
        const clean = (r: Record<string, FieldValue>) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null));
        expect(clean(result)).toEqual(clean(b));
      }),
      { numRuns: 500 },
    );
  });

  it('diff of a state with itself is empty', () => {
    fc.assert(fc.property(stateArb, (s) => diff(s, s).length === 0));
  });
});
