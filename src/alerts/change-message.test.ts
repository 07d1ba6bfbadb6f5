import { describe, expect, it } from 'vitest';
import { diff } from '../domain/diff.js';
import type { Entry } from '../domain/types.js';
import { renderText, terminalSafe } from '../../adapters/console/render.js';
import { buildChangeMessage } from './change-message.js';
import { formatDetected } from './message.js';

const tech = (key: string, name: string, controlPoints: string[]): Entry => ({
  register: 'tech-catalogue',
  key,
  fields: { part: key.endsWith('J') ? 'prohibited' : 'restricted', sector: '医药制造业', name, controlPoints },
});

const notice = {
  key: 'MOFCOM-2023-57',
  title: '商务部 科技部公告2023年第57号',
  number: '商务部 科技部公告2023年第57号',
  publishedAt: '2023-12-21',
  effectiveAt: '2023-12-21',
  urls: ['https://www.mofcom.gov.cn/a.html', 'https://fms.mofcom.gov.cn/b.html'],
};
const gloss = (zh: string): string | null => (zh.includes('基因编辑') ? 'gene editing technology' : null);

describe('buildChangeMessage', () => {
  const before = [tech('050302J', '微生物肥料技术', ['菌种']), tech('052702J', '核黄素（VB2）生产工艺', ['a']), tech('050304J', '蚕类品种', ['蚕遗传资源'])];
  const after = [
    tech('052801J', '用于人的细胞克隆和基因编辑技术', ['体细胞克隆']),
    tech('052702X', '核黄素（VB2）生产工艺', ['a']),
    tech('050304J', '蚕类品种', ['除杂交一代蚕品种以外的蚕遗传资源']),
  ];
  const message = buildChangeMessage({ changes: diff(before, after), notice, detectedAt: '2023-12-21T08:05:00Z', gloss });

  it('summarises counts and severity in the title', () => {
    expect(message.severity).toBe('critical');
    expect(message.title).toBe('🔴 Technology export catalogue changed — 1 prohibition added, 1 item moved or re-coded, 1 item removed, 1 modified');
    expect(message.subtitle).toBe('商务部 科技部公告2023年第57号 · published 2023-12-21 · in force on publication');
  });

  it('puts the official link first and orders sections by severity', () => {
    expect(message.links[0]).toEqual({ label: 'Official text (Chinese)', url: 'https://www.mofcom.gov.cn/a.html' });
    expect(message.sections.map((s) => s.heading)).toEqual(['ADDED — prohibited', 'MOVED — prohibited → restricted', 'MODIFIED — prohibited', 'REMOVED']);
    expect(message.sections[0]!.items[0]).toEqual({
      code: '052801J',
      text: '用于人的细胞克隆和基因编辑技术',
      gloss: 'gene editing technology',
      details: ['control point 1: 体细胞克隆'],
    });
    expect(message.sections[1]!.items[0]!.code).toBe('052702J → 052702X');
    expect(message.sections[2]!.items[0]!.details).toEqual(['~ control point 1: 蚕遗传资源 → 除杂交一代蚕品种以外的蚕遗传资源']);
  });

  it('summarises long change sets instead of listing everything', () => {
    const many = Array.from({ length: 30 }, (_, i) => tech(`${String(100000 + i)}X`, `技术${i}`, []));
    const m = buildChangeMessage({ changes: diff([], many), notice: null, detectedAt: '2023-12-21T08:05:00Z', gloss, maxItems: 10 });
    expect(m.sections.flatMap((s) => s.items)).toHaveLength(10);
    expect(m.omitted).toBe(20);
    expect(renderText(m)).toContain('… and 20 more changes');
  });

  it('renders Chinese original, gloss, notice and detection time as text', () => {
    const text = renderText(message);
    expect(text).toContain('052801J 用于人的细胞克隆和基因编辑技术 (gloss: gene editing technology)');
    expect(text).toContain('Official text (Chinese): https://www.mofcom.gov.cn/a.html');
    expect(text).toContain('Detected 2023-12-21 16:05 CST (08:05 UTC)');
    expect(text).toContain('not official translations');
  });
});

describe('console safety and dates', () => {
  it('strips terminal control sequences from scraped text', () => {
    expect(terminalSafe('a\u001b[31mred\u0007\nb')).toBe('a[31mred\nb');
  });
  it('formats detection time in China time and UTC', () => {
    expect(formatDetected('2026-11-29T23:30:00Z')).toBe('2026-11-30 07:30 CST (23:30 UTC)');
  });
});
