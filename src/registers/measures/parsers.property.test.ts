// Property tests: whatever arrives (arbitrary unicode, or a mixture of the markers real notices use),
// classification and every register parser end quickly without throwing, and their output keeps its shape.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diff } from '../../domain/diff.js';
import type { Entry } from '../../domain/types.js';
import { classifyNotice } from '../classify.js';
import { dualUse } from '../dual-use/index.js';
import { CONTROL_CODE_PATTERN, parseDualUseItems } from '../dual-use/parse.js';
import { exportControlList, unreliableEntityList, watchList } from '../entity-lists/index.js';
import { parseEntityNotice } from '../entity-lists/parse.js';
import type { NoticeDocument } from '../types.js';
import { measures } from './index.js';
import { lifecycleActions, noticeReferences } from './lifecycle.js';
import { noticeLines } from './text.js';

const MARKERS = [
  '\n',
  '\n',
  '\n',
  '1.',
  '２．',
  '3、',
  '（1）',
  '一、',
  '（一）',
  '（',
  '）',
  '(',
  ')',
  '：',
  ':',
  '、',
  '，',
  '；',
  '。',
  '管制编码：',
  '（管制编码：',
  '1C902',
  '1E902.a',
  '1C907.a–b',
  '.b',
  '1X9',
  '参考海关商品编号：',
  '参考税则号列：',
  '2805301910',
  '28053019',
  '自2025年4月4日起正式实施',
  '本公告自发布之日起正式实施',
  '将以下',
  '20家',
  '十家',
  '日本实体',
  '美国',
  '列入',
  '移出',
  '出口管制管控名单',
  '关注名单',
  '不可靠实体清单',
  '不可靠实体清单工作机制',
  '地址：',
  '邮编：',
  '常用名称：',
  'Acme Dynamics, Inc.',
  'USA',
  '公司',
  '暂停实施',
  '继续暂停',
  '恢复实施',
  '停止实施',
  '废止',
  '取消',
  '根据',
  '至2026年11月10日',
  '2025年第55号',
  '、56号',
  '第二款',
  '商务部公告',
  '商务部 海关总署公告',
  '〔2025〕9号',
  '二〇二五年',
  '【发布文号】',
  '&nbsp;',
  ' ',
  '　',
];

const markerText = fc
  .array(fc.oneof(fc.constantFrom(...MARKERS), fc.string({ maxLength: 3 }), fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: 400 })
  .map((parts) => parts.join(''));
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), markerText);

function notice(title: string, text: string, attachment: string): NoticeDocument {
  return {
    key: 'MOFCOM-2026-500',
    title,
    text,
    number: null,
    issuer: null,
    publishedAt: '2026-11-02',
    effectiveAt: null,
    attachmentTexts: attachment ? [attachment] : [],
  };
}

const CURRENT: Record<string, Entry[]> = {
  'dual-use': [
    {
      register: 'dual-use',
      key: '1E902.a',
      fields: { description: 'x', customsCodes: [], measure: 'MOFCOM-2025-55', effectiveAt: null, status: 'controlled' },
    },
  ],
  'export-control-list': [
    {
      register: 'export-control-list',
      key: 'acme dynamics inc',
      fields: { nameZh: '阿克米公司', nameEn: 'Acme Dynamics, Inc.', listedBy: 'MOFCOM-2025-55', status: 'listed' },
    },
  ],
  measures: [{ register: 'measures', key: 'MOFCOM-2025-55', fields: { title: 't', status: 'in-force', sections: [] } }],
};

describe('parsers on arbitrary input', () => {
  it('never throw, and keep the shape of their output', () => {
    fc.assert(
      fc.property(anyText, anyText, fc.oneof(fc.constant(''), anyText), (title, text, attachment) => {
        const n = notice(title, text, attachment);
        const c = classifyNotice(n);
        expect(typeof c.reason).toBe('string');
        if (c.kind === 'other') expect(c.registers).toEqual([]);
        else expect(c.registers[c.registers.length - 1]).toBe('measures');

        const items = parseDualUseItems(noticeLines(n));
        for (const item of items.items) expect(item.code).toMatch(CONTROL_CODE_PATTERN);
        const entities = parseEntityNotice(n);
        for (const e of entities.entities) expect(e.nameZh !== null || e.nameEn !== null).toBe(true);
        for (const a of lifecycleActions(n)) expect(a.targets.length).toBeGreaterThan(0);
        noticeReferences(text, { prefix: 'MOFCOM', ownKey: null, year: 2026 });

        for (const module of [dualUse, exportControlList, watchList, unreliableEntityList, measures]) {
          const current = CURRENT[module.id] ?? [];
          const update = module.fromNotice!(n, current);
          if (!update) continue;
          // A valid state: unique keys of the register, and the generic diff accepts it.
          expect(new Set(update.after.map((e) => e.key)).size).toBe(update.after.length);
          for (const change of diff(current, update.after)) module.refineChange!(change);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stay fast on adversarial input', () => {
    const cases = [
      `1.${'钐'.repeat(50)}（管制编码：${' '.repeat(100_000)}`,
      `${'（'.repeat(50_000)}参考海关商品编号：${'1、'.repeat(20_000)}`,
      `${'1.阿克米公司（Acme '.repeat(10_000)}`,
      `暂停实施${'2025年第55号、'.repeat(10_000)}`,
      `${'商务部'.repeat(20_000)}公告2025年第1号`,
      `${'列入'.repeat(20_000)}管控名单`,
      `${'2025年'.repeat(40_000)}`,
      `${'地址：'.repeat(30_000)}`,
      `1.${'a('.repeat(20_000)}`,
      `1.阿克米${'；'.repeat(50_000)}公司（Acme）`,
      `1.阿克米公司（Acme${' '.repeat(50_000)}x`,
      `（${'A'.repeat(50_000)}`,
      `1.钐（参考税则号列：${'，'.repeat(50_000)}x（管制编码：1C902）`,
      `${'。'.repeat(50_000)}x`,
    ];
    for (const text of cases) {
      const started = Date.now();
      const n = notice(text.slice(0, 2_000), text, text);
      classifyNotice(n);
      for (const module of [dualUse, exportControlList, measures]) module.fromNotice!(n, CURRENT[module.id] ?? []);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });
});
