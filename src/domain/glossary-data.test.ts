// Sanity checks over the shipped glossary data (data/glossary.json).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadGlossary } from './glossary.js';

const g = loadGlossary();
const byId = (id: string) => g.byId.get(id);

const CATEGORIES = ['element', 'material', 'magnet', 'process', 'technology', 'sector', 'list', 'lifecycle', 'country'];

/** The 17 rare-earth elements: id → Chinese character. */
const RARE_EARTHS: Record<string, string> = {
  scandium: '钪',
  yttrium: '钇',
  lanthanum: '镧',
  cerium: '铈',
  praseodymium: '镨',
  neodymium: '钕',
  promethium: '钷',
  samarium: '钐',
  europium: '铕',
  gadolinium: '钆',
  terbium: '铽',
  dysprosium: '镝',
  holmium: '钬',
  erbium: '铒',
  thulium: '铥',
  ytterbium: '镱',
  lutetium: '镥',
};

/** Chinese forms deliberately shared by more than one term (none so far). */
const SHARED_ZH = new Set<string>();
/** English forms (normalised) deliberately shared by more than one term (none so far). */
const SHARED_EN = new Set<string>();

describe('data/glossary.json', () => {
  it('has the documented envelope', () => {
    const raw = JSON.parse(readFileSync(fileURLToPath(new URL('../../data/glossary.json', import.meta.url)), 'utf8')) as {
      version: unknown;
      note: unknown;
    };
    expect(raw.version).toBe(1);
    expect(raw.note).toMatch(/not official translations/);
  });

  it('has at least 180 terms with unique ids', () => {
    expect(g.terms.length).toBeGreaterThanOrEqual(180);
    expect(new Set(g.terms.map((t) => t.id)).size).toBe(g.terms.length);
  });

  it('uses only the known categories, each with a fair number of terms', () => {
    const counts = new Map<string, number>();
    for (const t of g.terms) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
    expect([...counts.keys()].filter((c) => !CATEGORIES.includes(c))).toEqual([]);
    for (const c of CATEGORIES.filter((c) => c !== 'country')) expect(counts.get(c) ?? 0).toBeGreaterThanOrEqual(10);
  });

  it('contains every one of the 17 rare-earth elements with its Chinese character', () => {
    expect(Object.keys(RARE_EARTHS)).toHaveLength(17);
    for (const [id, zh] of Object.entries(RARE_EARTHS)) {
      const term = byId(id);
      expect(term, id).toBeDefined();
      expect(term?.category).toBe('element');
      expect(term?.zh).toContain(zh);
      expect(term?.en[0]).toBe(id);
    }
  });

  it('contains the critical minerals, magnets and list words named in DOMAIN.md', () => {
    const expected: [string, string, string][] = [
      ['gallium', '镓', 'gallium'],
      ['germanium', '锗', 'germanium'],
      ['antimony', '锑', 'antimony'],
      ['tungsten', '钨', 'tungsten'],
      ['tellurium', '碲', 'tellurium'],
      ['bismuth', '铋', 'bismuth'],
      ['molybdenum', '钼', 'molybdenum'],
      ['indium', '铟', 'indium'],
      ['lithium', '锂', 'lithium'],
      ['graphite', '石墨', 'graphite'],
      ['rare-earth', '稀土', 'rare earth'],
      ['superhard-materials', '超硬材料', 'superhard materials'],
      ['synthetic-diamond', '人造金刚石', 'synthetic diamond'],
      ['cubic-boron-nitride', '立方氮化硼', 'cubic boron nitride'],
      ['cathode-material', '正极材料', 'cathode material'],
      ['anode-material', '负极材料', 'anode material'],
      ['lithium-iron-phosphate', '磷酸铁锂', 'lithium iron phosphate'],
      ['lithium-manganese-iron-phosphate', '磷酸锰铁锂', 'lithium manganese iron phosphate'],
      ['ndfeb', '钕铁硼', 'NdFeB'],
      ['smco', '钐钴', 'SmCo'],
      ['cerium-magnet', '铈磁体', 'cerium magnet'],
      ['permanent-magnet', '永磁', 'permanent magnet'],
      ['extraction', '提取', 'extraction'],
      ['separation', '分离', 'separation'],
      ['refining', '提炼', 'refining'],
      ['smelting', '冶炼', 'smelting'],
      ['preparation', '制备', 'preparation'],
      ['processing', '加工', 'processing'],
      ['utilisation', '利用', 'utilisation'],
      ['lidar', '激光雷达', 'lidar'],
      ['gene-editing', '基因编辑', 'gene editing'],
      ['cell-cloning', '细胞克隆', 'cell cloning'],
      ['drone', '无人机', 'drone'],
      ['flight-control', '飞行控制', 'flight control'],
      ['speech-synthesis', '语音合成', 'speech synthesis'],
      ['character-recognition', '文字识别', 'character recognition'],
      ['personalised-recommendation', '个性化推荐', 'personalised recommendation'],
      ['heterosis', '杂种优势', 'heterosis'],
      ['microbial-fertiliser', '微生物肥料', 'microbial fertiliser'],
      ['caffeine', '咖啡因', 'caffeine'],
      ['riboflavin', '核黄素', 'riboflavin'],
      ['silkworm', '蚕', 'silkworm'],
      ['traditional-chinese-architecture', '中国传统建筑', 'traditional Chinese architecture'],
      ['heat-treatment', '热处理', 'heat treatment'],
      ['battery', '电池', 'battery'],
      ['agriculture', '农业', 'agriculture'],
      ['animal-husbandry', '畜牧业', 'animal husbandry'],
      ['fishery', '渔业', 'fishery'],
      ['pharmaceutical-manufacturing', '医药制造业', 'pharmaceutical manufacturing'],
      ['nonferrous-smelting-rolling', '有色金属冶炼和压延加工业', 'non-ferrous metal smelting and rolling'],
      ['software-it-services', '软件和信息技术服务业', 'software and information technology services'],
      ['tech-catalogue', '中国禁止出口限制出口技术目录', 'Catalogue of Technologies Prohibited and Restricted from Export'],
      ['dual-use-list', '两用物项出口管制清单', 'dual-use items export control list'],
      ['export-control-list', '出口管制管控名单', 'export control list'],
      ['watch-list', '关注名单', 'watch list'],
      ['unreliable-entity-list', '不可靠实体清单', 'Unreliable Entity List'],
      ['prohibited-from-export', '禁止出口', 'prohibited from export'],
      ['restricted-from-export', '限制出口', 'restricted from export'],
      ['control-points', '控制要点', 'control points'],
      ['control-code', '管制编码', 'control code'],
      ['designate', '列入', 'designate'],
      ['remove', '移出', 'remove'],
      ['suspend', '暂停实施', 'suspend'],
      ['extend-suspension', '继续暂停', 'extend suspension'],
      ['stop', '停止实施', 'stop'],
      ['resume', '恢复', 'resume'],
      ['adjust', '调整', 'adjust'],
      ['repeal', '废止', 'repeal'],
      ['cancel', '取消', 'cancel'],
      ['announcement', '公告', 'announcement'],
      ['mofcom', '商务部', 'MOFCOM'],
      ['most', '科技部', 'Ministry of Science and Technology'],
      ['gacc', '海关总署', 'GACC'],
    ];
    for (const [id, zh, en] of expected) {
      const term = byId(id);
      expect(term, id).toBeDefined();
      expect(term?.zh, id).toContain(zh);
      expect(term?.en[0], id).toBe(en);
    }
  });

  it('has no empty or padded forms, only CJK in Chinese forms and no CJK in English forms', () => {
    for (const t of g.terms) {
      expect(t.en.length, t.id).toBeGreaterThan(0);
      expect(t.zh.length, t.id).toBeGreaterThan(0);
      for (const en of t.en) {
        expect(en.trim(), t.id).toBe(en);
        expect(en, t.id).toMatch(/[A-Za-z0-9]/);
        expect(en, t.id).not.toMatch(/\p{Script=Han}/u);
        expect(en, t.id).not.toMatch(/[;()]/);
      }
      for (const zh of t.zh) expect(zh, t.id).toMatch(/^\p{Script=Han}+(?:、\p{Script=Han}+)*$/u);
      expect(new Set(t.zh).size, `${t.id} repeats a Chinese form`).toBe(t.zh.length);
      expect(new Set(t.en).size, `${t.id} repeats an English form`).toBe(t.en.length);
    }
  });

  it('maps each Chinese form to one term unless the sharing is deliberate', () => {
    const owners = new Map<string, string[]>();
    for (const t of g.terms) for (const zh of t.zh) owners.set(zh, [...(owners.get(zh) ?? []), t.id]);
    const shared = [...owners].filter(([zh, ids]) => ids.length > 1 && !SHARED_ZH.has(zh));
    expect(shared).toEqual([]);
  });

  it('maps each normalised English form to one term unless the sharing is deliberate', () => {
    const owners = new Map<string, string[]>();
    for (const bucket of g.enIndex.values()) {
      for (const p of bucket) {
        const key = p.keys.join(' ');
        owners.set(key, [...(owners.get(key) ?? []), p.term.id]);
      }
    }
    const shared = [...owners].filter(([key, ids]) => ids.length > 1 && !SHARED_EN.has(key));
    expect(shared).toEqual([]);
  });

  it('avoids bare English forms that are everyday words (MOST, US, APT, gap)', () => {
    const forms = new Set(g.terms.flatMap((t) => t.en.map((e) => e.toLowerCase())));
    for (const bad of ['most', 'us', 'apt', 'gap', 'sic', 'in', 'lead', 'number']) expect(forms.has(bad), bad).toBe(false);
  });
});
