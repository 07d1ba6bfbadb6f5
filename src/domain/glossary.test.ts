import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { expandQuery, findTerms, glossChinese, loadGlossary, parseGlossary } from './glossary.js';

const g = loadGlossary();
const ids = (terms: { id: string }[]) => terms.map((t) => t.id);

const tiny = {
  version: 1,
  note: 'test',
  terms: [
    { id: 'ndfeb', en: ['NdFeB', 'neodymium-iron-boron'], zh: ['钕铁硼'], category: 'magnet' },
    { id: 'magnet', en: ['magnet'], zh: ['磁体', '磁铁'], category: 'magnet' },
  ],
};

describe('parseGlossary', () => {
  it('accepts a valid glossary and indexes it', () => {
    const parsed = parseGlossary(tiny);
    expect(ids(parsed.terms)).toEqual(['ndfeb', 'magnet']);
    expect(parsed.byId.get('magnet')?.zh).toEqual(['磁体', '磁铁']);
    expect(glossChinese(parsed, '钕铁硼磁体')).toBe('NdFeB; magnet');
  });

  it('rejects duplicate ids, naming the id', () => {
    const dup = { ...tiny, terms: [...tiny.terms, { id: 'ndfeb', en: ['x'], zh: ['钕'], category: 'magnet' }] };
    expect(() => parseGlossary(dup)).toThrow(/duplicate term id "ndfeb" \(terms #0 and #2\)/);
  });

  it('names the bad term and field when a form is invalid', () => {
    const bad = { ...tiny, terms: [tiny.terms[0], { id: 'magnet', en: ['magnet'], zh: ['magnet'], category: 'magnet' }] };
    expect(() => parseGlossary(bad)).toThrow(/term #1 "magnet" zh\[0\]: Chinese form must consist of CJK/);
    const emptyEn = { ...tiny, terms: [{ id: 'x', en: [''], zh: ['钕'], category: 'element' }] };
    expect(() => parseGlossary(emptyEn)).toThrow(/term #0 "x" en\[0\]: empty English form/);
    const noZh = { ...tiny, terms: [{ id: 'x', en: ['x'], zh: [], category: 'element' }] };
    expect(() => parseGlossary(noZh)).toThrow(/term #0 "x" zh: no Chinese form/);
    const hanInEn = { ...tiny, terms: [{ id: 'x', en: ['x钕'], zh: ['钕'], category: 'element' }] };
    expect(() => parseGlossary(hanInEn)).toThrow(/English form contains Chinese characters/);
    const badId = { ...tiny, terms: [{ id: 'Bad Id', en: ['x'], zh: ['钕'], category: 'element' }] };
    expect(() => parseGlossary(badId)).toThrow(/term #0 "Bad Id" id: id must be lower-case kebab-case/);
    const extraKey = { ...tiny, terms: [{ id: 'x', en: ['x'], zh: ['钕'], category: 'element', zhh: [] }] };
    expect(() => parseGlossary(extraKey)).toThrow(/term #0 "x"/);
  });

  it('rejects what is not a glossary at all', () => {
    expect(() => parseGlossary(null)).toThrow(/Invalid glossary/);
    expect(() => parseGlossary({ version: 2, terms: tiny.terms })).toThrow(/version/);
    expect(() => parseGlossary({ version: 1, terms: [] })).toThrow(/no terms/);
  });
});

describe('loadGlossary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glossary-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped file by default', () => {
    expect(g.terms.length).toBeGreaterThanOrEqual(180);
    expect(g.byId.get('ndfeb')?.zh).toEqual(['钕铁硼']);
  });

  it('loads a given path and reports unreadable or invalid files with the path', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(tiny));
    expect(ids(loadGlossary(good).terms)).toEqual(['ndfeb', 'magnet']);

    const missing = join(dir, 'missing.json');
    expect(() => loadGlossary(missing)).toThrow(new RegExp(`Cannot read glossary .*missing\\.json`));

    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"version":1,');
    expect(() => loadGlossary(broken)).toThrow(/Cannot read glossary .*broken\.json/);

    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ version: 1, terms: [{ id: 'x', en: ['x'], zh: ['x'], category: 'element' }] }));
    expect(() => loadGlossary(invalid)).toThrow(/invalid\.json: Invalid glossary: term #0 "x" zh\[0\]/);
  });
});

describe('expandQuery', () => {
  it('prefers the longest phrase: "NdFeB magnet" → ndfeb + magnet', () => {
    const e = expandQuery(g, 'NdFeB magnet');
    expect(e.query).toBe('NdFeB magnet');
    expect(ids(e.terms)).toEqual(['ndfeb', 'magnet']);
    expect(e.zh).toEqual(['钕铁硼', '磁体', '磁铁']);
    expect(e.en).toEqual(['NdFeB', 'neodymium-iron-boron', 'neodymium magnet', 'Nd-Fe-B', 'magnet']);
  });

  it('ignores case, hyphens and plurals', () => {
    for (const q of ['rare earths', 'Rare-Earth', 'RARE EARTH', 'rare earth elements']) {
      const e = expandQuery(g, q);
      expect(ids(e.terms), q).toEqual(['rare-earth']);
      expect(e.zh, q).toEqual(['稀土', '稀土元素']);
      expect(e.en, q).toContain('rare earth');
    }
    expect(ids(expandQuery(g, 'magnets').terms)).toEqual(['magnet']);
    expect(ids(expandQuery(g, 'neodymium magnets').terms)).toEqual(['ndfeb']);
    expect(ids(expandQuery(g, 'lithium-ion batteries').terms)).toEqual(['lithium-ion-battery']);
    expect(ids(expandQuery(g, 'rare-earth permanent magnets').terms)).toEqual(['rare-earth-permanent-magnet']);
  });

  it('expands single terms', () => {
    expect(expandQuery(g, 'lidar')).toMatchObject({ zh: ['激光雷达'], en: ['lidar', 'laser radar'] });
    expect(expandQuery(g, 'gallium')).toMatchObject({ zh: ['镓'], en: ['gallium'] });
    expect(expandQuery(g, 'Drone')).toMatchObject({
      zh: ['无人机', '无人驾驶航空器'],
      en: ['drone', 'UAV', 'unmanned aerial vehicle'],
    });
    expect(ids(expandQuery(g, 'UAVs').terms)).toEqual(['drone']);
  });

  it('matches Chinese input against the Chinese forms and gives the English names', () => {
    const e = expandQuery(g, '稀土');
    expect(ids(e.terms)).toEqual(['rare-earth']);
    expect(e.zh).toEqual(['稀土', '稀土元素']);
    expect(e.en).toEqual(['rare earth', 'rare-earth', 'rare earth element', 'REE']);

    const ndfeb = expandQuery(g, '钕铁硼');
    expect(ids(ndfeb.terms)).toEqual(['ndfeb']);
    expect(ndfeb.en).toContain('NdFeB');
  });

  it("keeps the query's own Chinese first and segments it greedily", () => {
    const e = expandQuery(g, '钕铁硼磁体');
    expect(ids(e.terms)).toEqual(['ndfeb', 'magnet']);
    expect(e.zh).toEqual(['钕铁硼磁体', '钕铁硼', '磁体', '磁铁']);

    const unknown = expandQuery(g, '某某公司');
    expect(unknown.terms).toEqual([]);
    expect(unknown.zh).toEqual(['某某公司']);
    expect(unknown.en).toEqual([]);
  });

  it('handles mixed queries in query order', () => {
    const e = expandQuery(g, 'gallium 锗 exports');
    expect(ids(e.terms)).toEqual(['gallium', 'germanium', 'export']);
    expect(e.zh).toEqual(['锗', '镓', '出口']);
    expect(e.en).toEqual(['gallium', 'germanium', 'export']);
  });

  it('keeps unknown words as typed, drops stopwords, keeps codes', () => {
    const e = expandQuery(g, 'Hikvision widgets');
    expect(e.terms).toEqual([]);
    expect(e.zh).toEqual([]);
    expect(e.en).toEqual(['Hikvision', 'widgets']);

    const q = expandQuery(g, 'Is gallium on the list?');
    expect(ids(q.terms)).toEqual(['gallium', 'list']);
    expect(q.en).toEqual(['gallium', 'list']);

    expect(expandQuery(g, "MOFCOM's 1E902.a").en).toEqual(['MOFCOM', 'Ministry of Commerce', '1E902.a']);
    expect(expandQuery(g, '053302J').en).toEqual(['053302J']);
    expect(expandQuery(g, 'Ministry of Science and Technology').zh).toEqual(['科学技术部', '科技部']);
  });

  it('handles empty and punctuation-only queries', () => {
    expect(expandQuery(g, '')).toEqual({ query: '', zh: [], en: [], terms: [] });
    expect(expandQuery(g, ' ,;—！？ ')).toMatchObject({ zh: [], en: [], terms: [] });
  });

  it('normalises full-width input', () => {
    expect(ids(expandQuery(g, 'ＮｄＦｅＢ').terms)).toEqual(['ndfeb']);
  });
});

describe('glossChinese', () => {
  it('glosses catalogue names by greedy longest match', () => {
    expect(glossChinese(g, '稀土的提炼、加工、利用技术')).toBe('rare earth; refining; processing; utilisation; technology');
    expect(glossChinese(g, '微生物肥料技术')).toBe('microbial fertiliser; technology');
    expect(glossChinese(g, '激光雷达系统')).toBe('lidar; system');
    expect(glossChinese(g, '钐钴、钕铁硼、铈磁体制备技术')).toBe('SmCo; NdFeB; cerium magnet; preparation; technology');
    expect(glossChinese(g, '蚕类品种、繁育和蚕茧采集加工利用技术')).toBe('silkworm breeds; breeding; cocoon; collection; processing; utilisation; technology');
    expect(glossChinese(g, '无人机技术')).toBe('drone; technology');
  });

  it('glosses whole sector headings and notice titles', () => {
    expect(glossChinese(g, '有色金属冶炼和压延加工业')).toBe('non-ferrous metal smelting and rolling');
    expect(glossChinese(g, '计算机、通信和其他电子设备制造业')).toBe('computer, communication and other electronic equipment manufacturing');
    expect(glossChinese(g, '将20家日本实体列入出口管制管控名单')).toBe('Japan; entity; designate; export control list');
    expect(glossChinese(g, '商务部 海关总署公告2025年第57号')).toBe('MOFCOM; GACC; announcement');
  });

  it('drops repeats and returns null when nothing matched', () => {
    expect(glossChinese(g, '技术技术技术')).toBe('technology');
    expect(glossChinese(g, '某某某')).toBeNull();
    expect(glossChinese(g, 'gallium')).toBeNull();
    expect(glossChinese(g, '')).toBeNull();
  });

  it('stays fast on long text', () => {
    const text = '稀土的提炼、加工、利用技术；某某无关文字。'.repeat(10_000);
    const t0 = performance.now();
    expect(glossChinese(g, text)).toBe('rare earth; refining; processing; utilisation; technology');
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

describe('findTerms', () => {
  it('finds Chinese and English forms, nested ones included, by first occurrence', () => {
    const found = ids(findTerms(g, 'China curbs rare-earth magnets: 钕铁硼 and 磷酸铁锂'));
    expect(found).toEqual([
      'china',
      'rare-earth',
      'rare-earth-permanent-magnet',
      'magnet',
      'neodymium',
      'ndfeb',
      'boron',
      'phosphorus',
      'lithium-iron-phosphate',
      'iron-phosphate',
      'lithium',
    ]);
  });

  it('dedupes and is stable', () => {
    const text = '镓镓镓 gallium Gallium 锗';
    expect(ids(findTerms(g, text))).toEqual(['gallium', 'germanium']);
    expect(ids(findTerms(g, text))).toEqual(ids(findTerms(g, text)));
  });

  it('matches English words and phrases only on word boundaries and within a sentence', () => {
    expect(ids(findTerms(g, 'Tin-plated items'))).toEqual(['tin', 'item']);
    expect(ids(findTerms(g, 'continental'))).toEqual([]);
    expect(ids(findTerms(g, 'export controls on lidars'))).toEqual(['export-control', 'export', 'control', 'lidar']);
    expect(ids(findTerms(g, 'rare. Earth'))).toEqual([]);
  });

  it('returns nothing for text without terms', () => {
    expect(findTerms(g, '')).toEqual([]);
    expect(findTerms(g, 'hello world 某某')).toEqual([]);
  });
});

describe('robustness', () => {
  it('never throws and finishes quickly on arbitrary Unicode', () => {
    const glossChars = [...new Set(g.terms.flatMap((t) => t.zh.join('')))].join('');
    const mixed = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.constantFrom(...g.terms.flatMap((t) => [...t.zh, ...t.en])),
          fc.string({ unit: fc.constantFrom(...glossChars, ' ', '-', '、'), maxLength: 20 }),
        ),
        { maxLength: 20 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mixed), (input) => {
        const t0 = performance.now();
        const e = expandQuery(g, input);
        const gloss = glossChinese(g, input);
        const found = findTerms(g, input);
        expect(performance.now() - t0).toBeLessThan(250);
        expect(e.query).toBe(input);
        for (const run of input.normalize('NFKC').match(/\p{Script=Han}+/gu) ?? []) expect(e.zh).toContain(run);
        expect(gloss === null || gloss.length > 0).toBe(true);
        expect(new Set(found.map((t) => t.id)).size).toBe(found.length);
        // Every term a query expands to is also found in it.
        const foundIds = new Set(found.map((t) => t.id));
        for (const t of e.terms) expect(foundIds.has(t.id)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
