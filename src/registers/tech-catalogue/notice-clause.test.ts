// Clause shapes one at a time, through the public parser. Codes 050302J, 050304J, 053301J and
// 203912X are real (DOMAIN.md); the others and all texts are invented for the tests.
import { describe, expect, it } from 'vitest';
import { parseAdjustmentNotice } from './notice.js';

const RESTRICTED = '二、限制出口部分\n（一）计算机服务业\n';
const PROHIBITED = '一、禁止出口部分\n（一）畜牧业\n';

function parse(text: string) {
  return parseAdjustmentNotice(text);
}

describe('deleting entries', () => {
  it('reads 删去 and 删除, with or without quotes around the technology', () => {
    const r = parse(`${PROHIBITED}1.删去微生物肥料技术（编号：050302J）条目。\n2.删除“蚕类品种技术（编号：050304J）”条目。`);
    expect(r.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '050302J', name: '微生物肥料技术' },
      { op: 'delete-entry', clause: '2', code: '050304J', name: '蚕类品种技术' },
    ]);
    expect(r.unparsed).toEqual([]);
  });

  it('reads several technologies deleted in one clause, and names that contain 、 and brackets', () => {
    const r = parse(`${PROHIBITED}1.删去蚕类品种、繁育技术（编号：050304J）、核黄素（VB2）生产技术（编号：052702J）和咖啡因生产技术（编号：052701J）条目。`);
    expect(r.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '050304J', name: '蚕类品种、繁育技术' },
      { op: 'delete-entry', clause: '1', code: '052702J', name: '核黄素（VB2）生产技术' },
      { op: 'delete-entry', clause: '1', code: '052701J', name: '咖啡因生产技术' },
    ]);
  });

  it('removes stray spaces inside a code and reads full-width digits', () => {
    const r = parse('1.删去微生物肥料技术（编号： 05 0302 J ）条目。\n2.删去甲技术（编号：０５０３０４Ｊ）条目。');
    expect(r.patches.map((p) => (p.op === 'delete-entry' ? p.code : ''))).toEqual(['050302J', '050304J']);
  });

  it('reports a code of the wrong length or letter', () => {
    const r = parse('1.删去甲技术（编号：0503021J）条目。\n2.删去乙技术（编号：050302Y）条目。\n3.删去丙技术条目。');
    expect(r.patches).toEqual([]);
    expect(r.unparsed.map((u) => [u.clause, u.reason])).toEqual([
      ['1', 'bad code "0503021J": expected six digits and J or X'],
      ['2', 'bad code "050302Y": expected six digits and J or X'],
      ['3', 'no technology with its code (编号) found'],
    ]);
  });

  it('reads 将…条目删去', () => {
    expect(parse('1.将微生物肥料技术（编号：050302J）条目删去。').patches).toEqual([{ op: 'delete-entry', clause: '1', code: '050302J' }]);
  });
});

describe('editing control points', () => {
  it('reads a replacement with “”, "" or 「」 quotes and strips a number inside the quote', () => {
    const r = parse(
      [
        '1.将甲技术（编号：056101X）控制要点1修改为：“一号要点”。',
        '2.将甲技术(编号:056101X)控制要点2修改为:"二号要点".',
        '3．将甲技术（编号：056101X）控制要点第３项修改为：「3.三号要点」。',
      ].join('\n'),
    );
    expect(r.patches).toEqual([
      { op: 'replace-control-point', clause: '1', code: '056101X', index: 1, text: '一号要点' },
      { op: 'replace-control-point', clause: '2', code: '056101X', index: 2, text: '二号要点' },
      { op: 'replace-control-point', clause: '3', code: '056101X', index: 3, text: '三号要点' },
    ]);
  });

  it('refuses a replacement whose quoted text holds two numbered points', () => {
    const r = parse('1.将甲技术（编号：056101X）控制要点1修改为：“1.甲；2.乙”。');
    expect(r.unparsed).toEqual([
      {
        clause: '1',
        text: '1.将甲技术（编号：056101X）控制要点1修改为：“1.甲；2.乙”。',
        reason: 'the new text of control point 1 is not one control point',
      },
    ]);
  });

  it('reads deletions of one or several control points in each wording', () => {
    const r = parse(
      [
        '1.删去信息处理技术（编号：056101X）控制要点3。',
        '2.删除信息处理技术（编号：056101X）中的控制要点5、7。',
        '3.将信息处理技术（编号：056101X）控制要点9至10删去。',
        '4.在信息处理技术（编号：056101X）中删去控制要点12。',
      ].join('\n'),
    );
    expect(r.patches.map((p) => (p.op === 'delete-control-point' ? `${p.clause}:${p.index}` : p.op))).toEqual(['1:3', '2:5', '2:7', '3:9', '3:10', '4:12']);
  });

  it('reads additions as several quotes, one quote with numbered points, or unquoted points', () => {
    const r = parse(
      [
        '1.在信息处理技术（编号：056101X）中增加控制要点：“17.语音合成技术”“18.人工智能交互界面技术”。',
        '2.将信息处理技术（编号：056101X）增加控制要点19：“基于数据分析的个性化信息推送服务技术”。',
        '3.在信息处理技术（编号：056101X）中增加控制要点：“20.甲；21.乙”。',
        '4.在信息处理技术（编号：056101X）中增加控制要点：22.丙；23.丁。',
        '5.增加信息处理技术（编号：056101X）控制要点：“戊”。',
      ].join('\n'),
    );
    expect(r.patches).toEqual([
      { op: 'add-control-points', clause: '1', code: '056101X', points: ['语音合成技术', '人工智能交互界面技术'] },
      { op: 'add-control-points', clause: '2', code: '056101X', points: ['基于数据分析的个性化信息推送服务技术'] },
      { op: 'add-control-points', clause: '3', code: '056101X', points: ['甲', '乙'] },
      { op: 'add-control-points', clause: '4', code: '056101X', points: ['丙', '丁'] },
      { op: 'add-control-points', clause: '5', code: '056101X', points: ['戊'] },
    ]);
    expect(r.unparsed).toEqual([]);
  });

  it('refuses an addition whose stated numbers do not match the points given', () => {
    const r = parse('1.将甲技术（编号：056101X）增加控制要点17、18：“甲”。');
    expect(r.unparsed.map((u) => u.reason)).toEqual(['the clause numbers 2 new control point(s) but gives 1']);
  });

  it('keeps a decimal number inside a point instead of splitting on it', () => {
    const r = parse('1.在甲技术（编号：056101X）中增加控制要点：“1.线宽1.5微米以下的工艺；2.精度0.1毫米”。');
    expect(r.patches).toEqual([{ op: 'add-control-points', clause: '1', code: '056101X', points: ['线宽1.5微米以下的工艺', '精度0.1毫米'] }]);
  });
});

describe('renaming and combined edits', () => {
  it('reads a rename alone and a clause that renames, replaces, deletes and adds', () => {
    const r = parse(
      [
        '1.将航空材料技术（编号：053707X）技术名称修改为：“航空航天材料技术”。',
        '2.将热处理技术（编号：053401X）名称修改为“金属热处理技术”，控制要点1修改为“甲”，删去控制要点2，并增加控制要点：“乙”。',
      ].join('\n'),
    );
    expect(r.patches).toEqual([
      { op: 'rename-entry', clause: '1', code: '053707X', name: '航空航天材料技术' },
      { op: 'rename-entry', clause: '2', code: '053401X', name: '金属热处理技术' },
      { op: 'replace-control-point', clause: '2', code: '053401X', index: 1, text: '甲' },
      { op: 'delete-control-point', clause: '2', code: '053401X', index: 2 },
      { op: 'add-control-points', clause: '2', code: '053401X', points: ['乙'] },
    ]);
  });

  it('refuses the whole clause when one part of it is not understood', () => {
    const r = parse('1.将热处理技术（编号：053401X）技术名称修改为：“甲”，控制要点1中的“乙”替换为“丙”。');
    expect(r.patches).toEqual([]);
    expect(r.unparsed.map((u) => u.reason)).toEqual(['unrecognised wording "控制要点1中的“乙”替换为“丙”"']);
  });

  it('refuses a clause that both deletes an entry and edits it', () => {
    const r = parse('1.将热处理技术（编号：053401X）条目删去，控制要点1修改为“甲”。');
    expect(r.unparsed.map((u) => u.reason)).toEqual(['the clause both deletes the entry and edits it']);
  });

  it('refuses a clause that names a technology but no edit', () => {
    expect(parse('1.将热处理技术（编号：053401X）。').unparsed.map((u) => u.reason)).toEqual(['the clause names a technology but states no edit']);
  });
});

describe('new entries', () => {
  it('reads an inline entry with points as numbered items in one quote or as several quotes', () => {
    const r = parse(
      `${RESTRICTED}1.新增“激光雷达系统（编号：203913X）”条目，控制要点：“1.激光雷达系统设计技术；2.激光器制备技术”。\n` +
        '2.新增“无人机通信技术”（编号：203914X）条目，控制要点：“数据链技术”“抗干扰技术”。',
    );
    expect(r.patches).toEqual([
      {
        op: 'add-entry',
        clause: '1',
        entry: {
          code: '203913X',
          part: 'restricted',
          sector: '计算机服务业',
          name: '激光雷达系统',
          controlPoints: ['激光雷达系统设计技术', '激光器制备技术'],
        },
      },
      {
        op: 'add-entry',
        clause: '2',
        entry: { code: '203914X', part: 'restricted', sector: '计算机服务业', name: '无人机通信技术', controlPoints: ['数据链技术', '抗干扰技术'] },
      },
    ]);
  });

  it('takes the part from the code and leaves the sector empty when the notice has no headings', () => {
    expect(parse('1.新增“人用细胞克隆和基因编辑技术（编号：201801J）”条目，控制要点：“甲”。').patches).toEqual([
      {
        op: 'add-entry',
        clause: '1',
        entry: { code: '201801J', part: 'prohibited', sector: '', name: '人用细胞克隆和基因编辑技术', controlPoints: ['甲'] },
      },
    ]);
  });

  it('reads unquoted points that wrap over lines', () => {
    const r = parse(
      `${RESTRICTED}1.新增激光雷达系统（编号：203913X）条目，控制要点：1.激光雷达系统\n设计技术；\n2.激光器制备技术。\n2.删去甲技术（编号：056101X）条目。`,
    );
    expect(r.patches[0]).toEqual({
      op: 'add-entry',
      clause: '1',
      entry: { code: '203913X', part: 'restricted', sector: '计算机服务业', name: '激光雷达系统', controlPoints: ['激光雷达系统设计技术', '激光器制备技术'] },
    });
    expect(r.patches).toHaveLength(2);
    expect(r.unparsed).toEqual([]);
  });

  it('reads a labelled block with one or several entries and (1) sub-points kept in their point', () => {
    const r = parse(
      `${RESTRICTED}1.新增以下技术条目：\n编号：203913X\n技术名称：激光雷达系统\n控制要点：1.激光雷达系统设计技术：\n（1）扫描方式\n（2）测距精度\n2.激光器制备技术\n编号：203914X\n技术名称：“无人机通信技术”\n控制要点：数据链技术`,
    );
    expect(r.patches).toEqual([
      {
        op: 'add-entry',
        clause: '1',
        entry: {
          code: '203913X',
          part: 'restricted',
          sector: '计算机服务业',
          name: '激光雷达系统',
          controlPoints: ['激光雷达系统设计技术：（1）扫描方式（2）测距精度', '激光器制备技术'],
        },
      },
      {
        op: 'add-entry',
        clause: '1',
        entry: { code: '203914X', part: 'restricted', sector: '计算机服务业', name: '无人机通信技术', controlPoints: ['数据链技术'] },
      },
    ]);
  });

  it('reads 新增…控制要点 as a new entry but 增加…控制要点 as points added to an existing one', () => {
    const r = parse('1.新增甲技术（编号：203913X）控制要点：“甲”。\n2.增加乙技术（编号：203912X）控制要点：“乙”。');
    expect(r.patches.map((p) => p.op)).toEqual(['add-entry', 'add-control-points']);
  });

  it('refuses a new entry without control points and a block without a name', () => {
    const r = parse(`${RESTRICTED}1.新增“激光雷达系统（编号：203913X）”条目。\n2.新增以下技术条目：\n编号：203914X\n控制要点：1.甲`);
    expect(r.unparsed.map((u) => [u.clause, u.reason])).toEqual([
      ['1', 'new entry 203913X has no control points (控制要点)'],
      ['2', 'a new-entry block needs 编号, 技术名称 and 控制要点'],
    ]);
  });

  it('refuses a new entry whose code suffix disagrees with its part heading, or with the part the clause names', () => {
    const r = parse(`${PROHIBITED}1.新增“甲技术（编号：203913X）”条目，控制要点：“甲”。\n2.在限制出口部分“乙技术”（编号：050304J）中增加控制要点：“乙”。`);
    expect(r.unparsed.map((u) => [u.clause, u.reason])).toEqual([
      ['1', 'code 203913X is restricted (suffix X) but the clause is under the prohibited part'],
      ['2', 'the clause names the restricted part but sits under the prohibited part'],
    ]);
  });
});

describe('clause boundaries and headings', () => {
  it('accepts （一）禁止出口部分 headings and 1、 numbering, and resets the sector at a part heading', () => {
    const r = parse(
      '（一）禁止出口部分\n（一）畜牧业\n1、删去甲技术（编号：050302J）条目。\n（二）限制出口部分\n2、新增“乙技术（编号：203913X）”条目，控制要点：“乙”。',
    );
    expect(r.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '050302J', name: '甲技术' },
      { op: 'add-entry', clause: '2', entry: { code: '203913X', part: 'restricted', sector: '', name: '乙技术', controlPoints: ['乙'] } },
    ]);
  });

  it('joins a clause wrapped over lines until its sentence ends', () => {
    const r = parse('1.将蚕类品种、繁育和\n蚕茧采集加工利用技术（编号：\n050304J）控制要点1修改为：\n“除杂交一代蚕品种以外的\n蚕遗传资源”。');
    expect(r.patches).toEqual([{ op: 'replace-control-point', clause: '1', code: '050304J', index: 1, text: '除杂交一代蚕品种以外的蚕遗传资源' }]);
  });

  it('reports a stray line after a finished clause, but ignores the signature and whatever follows it', () => {
    const r = parse('1.删去甲技术（编号：050302J）条目。\n附注：另见解读。\n商务部 科技部\n2020年8月28日\n网站地图 联系我们');
    expect(r.unparsed).toEqual([{ clause: '', text: '附注：另见解读。', reason: 'line after clause 1 is not a clause, heading or continuation' }]);
  });

  it('reports numbering that goes back, and still reads the clause', () => {
    const r = parse('1.删去甲技术（编号：050302J）条目。\n2.删去乙技术（编号：050304J）条目。\n2.删去丙技术（编号：052701J）条目。');
    expect(r.patches).toHaveLength(3);
    expect(r.unparsed).toEqual([{ clause: '2', text: '2.删去丙技术（编号：052701J）条目。', reason: 'clause numbering goes back from 2 to 2' }]);
  });

  it('never swallows a numbered clause with a clause verb into an open quote', () => {
    const r = parse('1.将甲技术（编号：050304J）控制要点1修改为：“甲\n2.删去乙技术（编号：050302J）条目。');
    expect(r.patches).toEqual([{ op: 'delete-entry', clause: '2', code: '050302J', name: '乙技术' }]);
    expect(r.unparsed.map((u) => [u.clause, u.reason])).toEqual([['1', 'unterminated quote: the clause may be cut off']]);
  });
});

describe('stated totals', () => {
  it('reads 2020-style totals with a breakdown by part', () => {
    const r = parse('删除技术条目9项（其中禁止类4项、限制类5项），新增技术条目23项，修改技术条目21项。\n1.删去甲技术（编号：050302J）条目。');
    expect(r.stated).toEqual({ deleted: 9, added: 23, modified: 21 });
    expect(r.totalsMismatch).toEqual([
      'notice states 9 deleted entries, parsed 1',
      'notice states 23 added entries, parsed 0',
      'notice states 21 modified entries, parsed 0',
    ]);
  });

  it('reads 2023-style totals and Chinese numerals', () => {
    expect(parse('共删除34项（其中禁止类6项、限制类28项），新增4项，修改37项。').stated).toEqual({ deleted: 34, added: 4, modified: 37 });
    expect(parse('删除技术条目九项，新增二十三项，修改技术条目一百零二项。').stated).toEqual({ deleted: 9, added: 23, modified: 102 });
  });

  it('counts modified entries as distinct codes edited, not counting entries the notice deletes or adds', () => {
    const r = parse(
      [
        '删除技术条目1项，新增技术条目1项，修改技术条目1项。',
        '1.删去甲技术（编号：050302J）条目。',
        '2.将乙技术（编号：050304J）控制要点1修改为：“乙”。',
        '3.将乙技术（编号：050304J）技术名称修改为：“乙二”。',
        '4.新增“丙技术（编号：203913X）”条目，控制要点：“丙”。',
      ].join('\n'),
    );
    expect(r.totalsMismatch).toEqual([]);
  });
});
