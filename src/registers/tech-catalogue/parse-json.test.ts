import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { CatalogueParseError, parseCatalogue } from './parse.js';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/catalogue/${name}`, import.meta.url), 'utf8');

const rareEarth = {
  code: '053302J',
  part: 'prohibited',
  sector: '有色金属冶炼和压延加工业',
  name: '稀土的提炼、加工、利用技术',
  controlPoints: ['稀土萃取分离工艺技术'],
};
const drone = { code: '203912X', part: 'restricted', sector: '', name: '无人机技术', controlPoints: [] as string[] };

function message(doc: string): string {
  try {
    parseCatalogue(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueParseError);
    return (err as Error).message;
  }
  throw new Error('expected a CatalogueParseError');
}

describe('parseCatalogue: JSON export', () => {
  it('reads the register export', () => {
    const r = parseCatalogue(fixture('register-export.json'));
    expect(r.format).toBe('json');
    expect(r.problems).toEqual([]);
    expect(r.entries).toEqual([
      {
        code: '053302J',
        part: 'prohibited',
        sector: '有色金属冶炼和压延加工业',
        name: '稀土的提炼、加工、利用技术',
        controlPoints: ['稀土萃取分离工艺技术', '稀土金属和合金材料的生产技术', '钐钴、钕铁硼、铈磁体制备技术', '硼酸氧钙稀土制备技术'],
      },
      {
        code: '203912X',
        part: 'restricted',
        sector: '计算机、通信和其他电子设备制造业',
        name: '无人机技术',
        controlPoints: ['飞行控制系统：自主导航、路径规划与避障规划算法及软件'],
      },
    ]);
  });

  it('ignores keys it does not know', () => {
    const r = parseCatalogue(JSON.stringify({ register: 'tech-catalogue', asOf: null, _note: 'x', entries: [{ ...rareEarth, extra: 1 }] }));
    expect(r.entries).toEqual([rareEarth]);
  });

  it('reads a bare array of entries', () => {
    const r = parseCatalogue(fixture('entries-array.json'));
    expect(r.entries).toEqual([
      {
        code: '086501X',
        part: 'restricted',
        sector: '软件和信息技术服务业',
        name: '信息处理技术',
        controlPoints: ['中文及少数民族文字处理技术', '文字识别技术'],
      },
    ]);
  });

  it('names the path of the first invalid value', () => {
    const doc = (entries: unknown[], extra: object = {}) => JSON.stringify({ register: 'tech-catalogue', asOf: null, entries, ...extra });
    expect(message(doc([rareEarth, { ...drone, code: '20391X' }]))).toBe(
      'The JSON document is not a technology catalogue: at entries[1].code, expected a code of six digits followed by J or X.',
    );
    expect(message(doc([{ ...rareEarth, controlPoints: ['a', 3] }]))).toMatch(
      /^The JSON document is not a technology catalogue: at entries\[0\]\.controlPoints\[1\], /,
    );
    expect(message(doc([rareEarth], { asOf: '21.12.2023' }))).toMatch(/at asOf, expected a date YYYY-MM-DD or null\.$/);
    expect(message(JSON.stringify({ register: 'dual-use', entries: [] }))).toMatch(/^The JSON document is not a technology catalogue: at register, /);
    expect(message(JSON.stringify({ hello: 'world' }))).toMatch(/at register, /);
    expect(message(JSON.stringify([{ ...drone, part: 'banned' }]))).toMatch(/at \[0\]\.part, /);
    expect(message(JSON.stringify([{ ...drone, name: '  ' }]))).toMatch(/at \[0\]\.name, expected a non-empty name\.$/);
  });

  it('reports part/suffix disagreements and duplicates like the other formats', () => {
    const r = parseCatalogue(JSON.stringify([rareEarth, { ...drone, part: 'prohibited' }, { ...rareEarth, name: '重复' }, drone]));
    expect(r.entries).toEqual([rareEarth, drone]);
    expect(r.problems).toEqual([
      {
        line: 0,
        text: '[1]: 203912X 无人机技术',
        reason: 'code 203912X ends in X (restricted) but its part is "prohibited"; not imported',
      },
      { line: 0, text: '[2]: 053302J 重复', reason: 'duplicate code 053302J; the first occurrence is kept' },
      {
        line: 0,
        text: '[3]: 203912X 无人机技术',
        reason: 'entry 203912X has no control points (控制要点); imported with an empty list',
      },
    ]);
  });

  it('treats an empty register as an error, not an empty catalogue', () => {
    expect(message('{"register":"tech-catalogue","asOf":null,"entries":[]}')).toBe('The JSON document contains no catalogue entries.');
    expect(message('[]')).toBe('The JSON document contains no catalogue entries.');
  });
});
