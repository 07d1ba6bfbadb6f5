import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGlossary } from './glossary.js';
import { loadTopics, parseTopics, topicIds, topicsForRegister, topicsOf } from './topics.js';

const glossary = loadGlossary();
const topics = loadTopics(glossary);

const REQUIRED = [
  'rare-earths',
  'magnets',
  'gallium-germanium',
  'graphite',
  'antimony',
  'tungsten',
  'lithium-batteries',
  'superhard-materials',
  'semiconductors',
  'entity-lists',
  'technology-catalogue',
  'dual-use',
  'critical-minerals',
];

describe('the shipped topics (data/topics.json)', () => {
  it('has every required topic, each built from existing glossary terms', () => {
    expect(topicIds(topics)).toEqual(expect.arrayContaining(REQUIRED));
    for (const topic of topics.list) {
      expect(topic.name).not.toBe('');
      for (const term of topic.terms) expect(glossary.byId.has(term), `${topic.id}: ${term}`).toBe(true);
      expect(topic.terms.length + topic.words.length).toBeGreaterThan(0);
    }
  });

  it('has unique ids', () => {
    expect(new Set(topicIds(topics)).size).toBe(topicIds(topics).length);
  });
});

describe('topicsOf', () => {
  it.each([
    ['China restricts rare earth magnet exports', ['magnets', 'rare-earths']],
    ['稀土', ['rare-earths']],
    ['商务部公告：对镓、锗相关物项实施出口管制', ['export-controls', 'gallium-germanium']],
    ['RARE-EARTH Magnets in short supply', ['magnets', 'rare-earths']],
    ['Dysprosium and terbium prices jump', ['rare-earths']],
    ['钕铁硼永磁材料', ['magnets', 'rare-earths']],
    ['Graphite anode material makers brace for new rules', ['graphite', 'lithium-batteries']],
    ['天然石墨出口许可', ['export-controls', 'graphite']],
    ['Antimony trioxide shortage', ['antimony']],
    ['钨 prices', ['tungsten']],
    ['Wolfram Research releases Mathematica 15', ['tungsten']],
    ['Lithium carbonate slumps', ['lithium-batteries']],
    ['Lab-grown diamonds and cubic boron nitride', ['superhard-materials']],
    ['人造金刚石', ['superhard-materials']],
    ['New curbs on AI chips and chipmaking tools', ['semiconductors']],
    ['芯片出口', ['semiconductors']],
    ['US adds 12 Chinese firms to its Entity List', ['entity-lists']],
    ['列入不可靠实体清单', ['entity-lists']],
    ['Changes to the technology catalogue', ['technology-catalogue']],
    ['中国禁止出口限制出口技术目录', ['export-controls', 'technology-catalogue']],
    ['dual-use items export control list', ['dual-use', 'export-controls']],
    ['两用物项', ['dual-use']],
    ['Critical minerals deal signed', ['critical-minerals']],
    ['关键矿产', ['critical-minerals']],
  ])('%s → %j', (text, expected) => {
    expect(topicsOf(topics, text)).toEqual(expected);
  });

  it('matches English on word boundaries only, and nothing in unrelated text', () => {
    expect(topicsOf(topics, 'Blue-chip stocks rally as the Fed holds rates')).toEqual([]);
    expect(topicsOf(topics, 'Gan Yu wins the final')).toEqual([]);
    expect(topicsOf(topics, 'Agitation over antimonyx')).toEqual([]);
    expect(topicsOf(topics, '')).toEqual([]);
  });

  it('returns sorted ids without repeats', () => {
    const ids = topicsOf(topics, 'rare earth 稀土 rare earths magnets 磁体 graphite 石墨 rare earth');
    expect(ids).toEqual(['graphite', 'magnets', 'rare-earths']);
  });

  it('matches extra words (English phrases across hyphens and plurals, Chinese substrings)', () => {
    const tiny = parseTopics(glossary, {
      version: 1,
      topics: [{ id: 'x', name: 'X', terms: [], words: ['chip export', '出口禁令'] }],
    });
    expect(topicsOf(tiny, 'New CHIP-EXPORTS rules')).toEqual(['x']);
    expect(topicsOf(tiny, '实施出口禁令')).toEqual(['x']);
    expect(topicsOf(tiny, 'chip exporters')).toEqual([]);
  });
});

describe('topicsForRegister', () => {
  it('maps registers to the topics they imply', () => {
    expect(topicsForRegister('tech-catalogue')).toEqual(['technology-catalogue']);
    expect(topicsForRegister('dual-use')).toEqual(['dual-use']);
    expect(topicsForRegister('export-control-list')).toEqual(['entity-lists']);
    expect(topicsForRegister('watch-list')).toEqual(['entity-lists']);
    expect(topicsForRegister('unreliable-entity-list')).toEqual(['entity-lists']);
    expect(topicsForRegister('measures')).toEqual([]);
    expect(topicsForRegister('unknown')).toEqual([]);
    expect(topicsForRegister('constructor')).toEqual([]);
  });

  it('implies only topics that exist', () => {
    for (const register of ['tech-catalogue', 'dual-use', 'export-control-list', 'watch-list', 'unreliable-entity-list']) {
      for (const id of topicsForRegister(register)) expect(topics.byId.has(id)).toBe(true);
    }
  });

  it('returns a fresh array each time', () => {
    topicsForRegister('dual-use').push('mutated');
    expect(topicsForRegister('dual-use')).toEqual(['dual-use']);
  });
});

describe('parseTopics / loadTopics', () => {
  const dir = mkdtempSync(join(tmpdir(), 'topics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects unknown glossary term ids, naming the topic and the ids', () => {
    const json = { version: 1, topics: [{ id: 'x', name: 'X', terms: ['rare-earth', 'no-such-term', 'nor-this'] }] };
    expect(() => parseTopics(glossary, json)).toThrow(/topic #0 "x": unknown glossary terms "no-such-term", "nor-this"/);
  });

  it('rejects duplicate ids, bad ids, unknown keys and empty topics', () => {
    const t = { id: 'x', name: 'X', terms: ['rare-earth'] };
    expect(() => parseTopics(glossary, { version: 1, topics: [t, t] })).toThrow(/topic #1 "x": duplicate topic id/);
    expect(() => parseTopics(glossary, { version: 1, topics: [{ ...t, id: 'Bad Id' }] })).toThrow(/topic #0 "Bad Id" id: id must be lower-case kebab-case/);
    expect(() => parseTopics(glossary, { version: 1, topics: [{ ...t, term: [] }] })).toThrow(/topic #0 "x"/);
    expect(() => parseTopics(glossary, { version: 1, topics: [{ id: 'x', name: 'X', terms: [] }] })).toThrow(/neither terms nor words/);
    expect(() => parseTopics(glossary, { version: 1, topics: [{ ...t, words: [' padded'] }] })).toThrow(/surrounding whitespace/);
    expect(() => parseTopics(glossary, { version: 2, topics: [t] })).toThrow(/Invalid topics: version/);
    expect(() => parseTopics(glossary, null)).toThrow(/Invalid topics/);
  });

  it('loads a file and names it in errors', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ version: 1, topics: [{ id: 'magnets', name: 'Magnets', terms: ['magnet'] }] }));
    expect(topicIds(loadTopics(glossary, good))).toEqual(['magnets']);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadTopics(glossary, bad)).toThrow(/Cannot read topics .*bad\.json/);
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ version: 1, topics: [{ id: 'x', name: 'X', terms: ['nope'] }] }));
    expect(() => loadTopics(glossary, invalid)).toThrow(/invalid\.json: Invalid topics: topic #0 "x": unknown glossary term "nope"/);
  });
});
