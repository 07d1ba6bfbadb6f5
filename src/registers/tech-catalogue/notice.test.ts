import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NoticeParseResult } from '../../domain/types.js';
import { noticeText, parseAdjustmentNotice } from './notice.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../../../test/fixtures/notices/${name}`, import.meta.url), 'utf8');
}

describe('parseAdjustmentNotice on a 2020-No.38-style article page', () => {
  const result = parseAdjustmentNotice(fixture('2020-38-article.html'));

  it('reads every clause shape into exact patches, in clause order', () => {
    expect(result.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '050302J', name: '微生物肥料技术' },
      { op: 'replace-control-point', clause: '2', code: '050304J', index: 1, text: '除杂交一代蚕品种以外的蚕遗传资源' },
      { op: 'delete-entry', clause: '3', code: '052701J', name: '咖啡因生产技术' },
      { op: 'delete-entry', clause: '4', code: '052702J', name: '核黄素（VB2）生产技术' },
      { op: 'replace-control-point', clause: '5', code: '053401X', index: 2, text: '真空热处理及可控气氛热处理工艺技术' },
      { op: 'delete-control-point', clause: '5', code: '053401X', index: 3 },
      { op: 'rename-entry', clause: '6', code: '053707X', name: '航空航天材料制备技术' },
      { op: 'replace-control-point', clause: '6', code: '053707X', index: 3, text: '高温合金单晶叶片制备技术' },
      {
        op: 'add-control-points',
        clause: '7',
        code: '056101X',
        points: ['语音合成技术', '人工智能交互界面技术', '基于数据分析的个性化信息推送服务技术'],
      },
      { op: 'delete-entry', clause: '8', code: '056109X', name: '计算机网络管理技术' },
      {
        op: 'add-entry',
        clause: '9',
        entry: {
          code: '056102X',
          part: 'restricted',
          sector: '计算机服务业',
          name: '数据挖掘与分析系统',
          controlPoints: ['海量数据实时分析技术', '基于用户行为的数据挖掘技术'],
        },
      },
      {
        op: 'add-entry',
        clause: '10',
        entry: {
          code: '056103X',
          part: 'restricted',
          sector: '计算机服务业',
          name: '智能语音交互技术',
          controlPoints: ['远场语音识别技术', '多语种语音合成技术，包括情感语音合成技术'],
        },
      },
      {
        op: 'add-entry',
        clause: '10',
        entry: { code: '056105X', part: 'restricted', sector: '计算机服务业', name: '机器翻译技术', controlPoints: ['神经网络机器翻译技术'] },
      },
      { op: 'add-control-points', clause: '11', code: '056201X', points: ['基于人工智能的代码生成技术'] },
    ]);
  });

  it('leaves nothing unparsed: navigation before the clauses, the signature and page tools are not clauses', () => {
    expect(result.unparsed).toEqual([]);
  });

  it('reads the stated totals and finds they agree with the clauses', () => {
    expect(result.stated).toEqual({ deleted: 4, added: 3, modified: 5 });
    expect(result.totalsMismatch).toEqual([]);
  });
});

describe('parseAdjustmentNotice on a 2025-No.28-style text notice', () => {
  const result = parseAdjustmentNotice(fixture('2025-28.txt'));

  it('deletes a prohibited and a restricted entry, rewrites the gallium point, adds lithium points and a new entry', () => {
    expect(result.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '204701J', name: '传统建筑技术' },
      { op: 'delete-entry', clause: '2', code: '204702X', name: '建筑环境控制技术' },
      {
        op: 'replace-control-point',
        clause: '3',
        code: '203201X',
        index: 3,
        text: '镓的提取、提纯技术，包括从氧化铝生产母液、锌冶炼渣中提取镓的技术及高纯镓（纯度≥99.9999%）制备技术',
      },
      {
        op: 'add-control-points',
        clause: '4',
        code: '203201X',
        points: ['锂辉石提锂技术', '盐湖卤水提锂技术，包括吸附法、萃取法、膜分离法', '金属锂及锂合金制备技术'],
      },
      {
        op: 'add-entry',
        clause: '5',
        entry: {
          code: '203801X',
          part: 'restricted',
          sector: '电气机械和器材制造业',
          name: '电池正极材料制备技术',
          controlPoints: ['磷酸铁锂制备技术', '磷酸锰铁锂制备技术', '磷酸盐正极原材料制备技术'],
        },
      },
    ]);
    expect(result.unparsed).toEqual([]);
  });

  it('states no totals, so there is nothing to compare', () => {
    expect(result.stated).toEqual({});
    expect(result.totalsMismatch).toEqual([]);
  });
});

describe('parseAdjustmentNotice on malformed notices', () => {
  it('reports a bad code, an unknown shape, a part/suffix disagreement, a numbering gap and a stray line, and parses the rest', () => {
    const result: NoticeParseResult = parseAdjustmentNotice(fixture('malformed-clauses.txt'));
    expect(result.patches).toEqual([
      { op: 'delete-control-point', clause: '4', code: '056101X', index: 3 },
      { op: 'replace-control-point', clause: '5', code: '056101X', index: 2, text: '中文及少数民族文字处理技术' },
      { op: 'add-control-points', clause: '5', code: '056101X', points: ['语音合成技术', '人工智能交互界面技术'] },
      { op: 'delete-entry', clause: '7', code: '056201X', name: '通用软件技术' },
    ]);
    expect(result.unparsed).toEqual([
      {
        clause: '1',
        text: '1.删去微生物肥料技术（编号：05O302J）条目。',
        reason: 'bad code "05O302J": expected six digits and J or X',
      },
      {
        clause: '2',
        text: '2.对蚕类品种、繁育和蚕茧采集加工利用技术（编号：050304J）作如下调整：控制要点1不再列入。',
        reason: 'unrecognised clause shape',
      },
      {
        clause: '3',
        text: '3.新增“激光雷达系统（编号：203913J）”条目，控制要点：“1.激光雷达系统设计与集成技术”。',
        reason: 'code 203913J is prohibited (suffix J) but the clause is under the restricted part',
      },
      { clause: '6', text: '', reason: 'clause 6 is missing: numbering jumps from 5 to 7' },
      {
        clause: '',
        text: '以上内容自2020年9月1日起执行，相关解读见商务部网站。',
        reason: 'line after clause 7 is not a clause, heading or continuation',
      },
    ]);
  });

  it('compares stated totals (including Chinese numerals) with the parsed patches, one sentence per disagreement', () => {
    const result = parseAdjustmentNotice(fixture('malformed-clauses.txt'));
    expect(result.stated).toEqual({ deleted: 2, added: 1, modified: 3 });
    expect(result.totalsMismatch).toEqual([
      'notice states 2 deleted entries, parsed 1',
      'notice states 1 added entry, parsed 0',
      'notice states 3 modified entries, parsed 1',
    ]);
  });

  it('keeps a clause cut off inside a quote as unparsed instead of applying half of it', () => {
    const result = parseAdjustmentNotice(fixture('truncated-end.html'));
    expect(result.patches).toEqual([
      { op: 'delete-entry', clause: '1', code: '050302J', name: '微生物肥料技术' },
      { op: 'replace-control-point', clause: '2', code: '050304J', index: 1, text: '除杂交一代蚕品种以外的蚕遗传资源' },
    ]);
    expect(result.unparsed).toEqual([
      {
        clause: '3',
        text: '3.将蚕类品种、繁育和蚕茧采集加工利用技术（编号：050304J）控制要点2修改为：“蚕',
        reason: 'unterminated quote: the clause may be cut off',
      },
    ]);
  });

  it('reports the clauses missing from a text that starts in the middle', () => {
    const result = parseAdjustmentNotice(fixture('truncated-start.txt'));
    expect(result.patches).toEqual([{ op: 'delete-entry', clause: '3', code: '052701J', name: '咖啡因生产技术' }]);
    expect(result.unparsed).toEqual([{ clause: '1-2', text: '', reason: 'clauses 1-2 are missing: the first clause is numbered 3' }]);
  });

  it('returns nothing at all for a text without numbered clauses (not an adjustment notice)', () => {
    expect(parseAdjustmentNotice('商务部公告2025年第70号\n暂停实施有关公告。')).toEqual({
      patches: [],
      unparsed: [],
      stated: {},
      totalsMismatch: [],
    });
  });
});

describe('noticeText', () => {
  it('turns an article page into one paragraph per line without page furniture', () => {
    const lines = noticeText(fixture('2020-38-article.html')).split('\n');
    expect(lines).toContain('【发布文号】商务部 科技部公告2020年第38号');
    expect(lines).toContain('7. 在信息处理技术（编号：056 101X）中增加控制要点：');
    expect(lines).toContain('“17.语音合成技术”');
    expect(lines.some((l) => l.includes('主办单位') || l.includes('_hmt') || l.includes('text-indent') || l.includes('政策解读'))).toBe(false);
  });

  it('treats source line breaks inside a paragraph as spaces and <br>, <div>, <li>, <tr> as line breaks', () => {
    const html =
      '<div>甲&nbsp;乙&ensp;丙</div><p>1.删去\n微生物肥料技术</p>x<br/>y<ul><li>a</li><li>b</li></ul><table><tr><td>c</td><td>d</td></tr><tr><td>e</td></tr></table>';
    expect(noticeText(html)).toBe('甲 乙 丙\n1.删去 微生物肥料技术\nx\ny\na\nb\nc d\ne');
  });

  it('passes plain text through, decoding the entities that survive copy-and-paste and dropping blank lines', () => {
    expect(noticeText('  1.删去&nbsp;X  \r\n\r\n\u3000\u3000二、限制出口部分\u200b\r\n')).toBe('1.删去 X\n二、限制出口部分');
  });

  it('does not mistake a comparison sign in plain text for HTML', () => {
    expect(noticeText('线宽<10nm的刻蚀技术\n1.a')).toBe('线宽<10nm的刻蚀技术\n1.a');
  });
});
