import { describe, expect, it } from 'vitest';
import { renderText } from '../../adapters/console/render.js';
import type { Deadline } from './deadlines.js';
import { canonicalLink, composeDigest, dedupeNews, type DigestChangeSet, type DigestInput, type DigestNewsItem } from './digest.js';

// Monday 2026-11-23 00:00 to Monday 2026-11-30 00:00 in Berlin (CET, UTC+1)
const WEEK = { from: new Date('2026-11-22T23:00:00Z'), to: new Date('2026-11-29T23:00:00Z') };

const change = (noticeKey: string | null, severity: DigestChangeSet['severity'], summary: string, extra: Partial<DigestChangeSet> = {}): DigestChangeSet => ({
  noticeKey,
  register: 'dual-use',
  severity,
  summary,
  url: null,
  topics: [],
  publishedAt: '2026-11-20',
  ...extra,
});

const news = (i: number, extra: Partial<DigestNewsItem> = {}): DigestNewsItem => ({
  title: `Rare earth story ${i}`,
  link: `https://news.example/${i}`,
  published: `2026-11-${String(10 + i).padStart(2, '0')}T23:30:00Z`,
  feed: 'Mining.com',
  ...extra,
});

const ended: Deadline = {
  measureKey: 'MOFCOM-2024-46',
  number: '2024 No.46 §2',
  kind: 'suspension-ended',
  date: '2026-11-27',
  daysLeft: -2,
  settled: false,
  text: '⚠️ Suspension of 2024 No.46 §2 ended 2026-11-27; no notice since — check the official site.',
};

function input(extra: Partial<DigestInput> = {}): DigestInput {
  return {
    destinationLabel: '#trade-compliance',
    subscription: { topics: ['rare-earths', 'magnets'], keywords: [], timezone: 'Europe/Berlin', emptyDigest: true },
    period: WEEK,
    changeSets: [],
    flaggedNotices: [],
    news: [],
    deadlines: [],
    sources: { healthy: true, failing: [], lastPollAt: '2026-11-29T22:00:00Z' },
    ...extra,
  };
}

describe('composeDigest', () => {
  it('lays out the weekly digest of MESSAGES.md §5', () => {
    const message = composeDigest(
      input({
        changeSets: [
          change('MOFCOM-2026-97', 'medium', 'suspends No.96 until 2027-11-10', { register: 'measures' }),
          change('MOFCOM-2026-96', 'critical', 'dual-use control: scandium (1C907.a–b), in force 2026-11-15', { url: 'https://www.mofcom.gov.cn/96' }),
          change('MOFCOM-2026-95', 'high', '3 US entities to the export control list', { register: 'export-control-list' }),
        ],
        deadlines: [ended],
        news: Array.from({ length: 12 }, (_, i) => news(i + 1)),
        maxNews: 5,
      }),
    )!;
    expect(message.title).toBe('ExportWatch weekly — #trade-compliance — 2026-11-23 to 2026-11-29 (Europe/Berlin)');
    expect(message.severity).toBe('critical');
    expect(message.sections.map((s) => s.heading)).toEqual(['Changes (3 notices)', 'Deadlines', 'News (5 of 12 matching rare-earths, magnets)']);
    expect(message.sections[0]!.items.map((i) => `${i.code} ${i.text}`)).toEqual([
      '🔴 2026 No.96 dual-use control: scandium (1C907.a–b), in force 2026-11-15',
      '🟠 2026 No.95 3 US entities to the export control list',
      '🟡 2026 No.97 suspends No.96 until 2027-11-10',
    ]);
    expect(message.sections[0]!.items[0]!.details).toEqual([
      'Dual-use items list (两用物项出口管制清单) · published 2026-11-20',
      'https://www.mofcom.gov.cn/96',
    ]);
    expect(message.sections[1]!.items[0]).toMatchObject({
      code: '⚠️',
      text: 'Suspension of 2024 No.46 §2 ended 2026-11-27; no notice since — check the official site.',
    });
    const newsLines = message.sections[2]!.items.map((i) => `${i.code} ${i.text}`);
    // newest first, published dates on the Berlin calendar (23:30 UTC is the next day there)
    expect(newsLines.slice(0, 2)).toEqual(['• Mining.com — "Rare earth story 12" (2026-11-23)', '• Mining.com — "Rare earth story 11" (2026-11-22)']);
    expect(newsLines[5]).toBe('… 7 more');
    expect(message.context[0]).toBe('Sources: all healthy · last poll 23:00');
    expect(message.context[1]).toBe('Covers 2026-11-23 00:00 to 2026-11-30 00:00 Europe/Berlin');
    const text = renderText(message);
    expect(text).toContain('Changes (3 notices)\n  🔴 2026 No.96 dual-use control');
    expect(text).toContain('  … 7 more');
  });

  it('merges the change sets of one notice into one line with its most severe mark', () => {
    const message = composeDigest(
      input({
        changeSets: [
          change('MOFCOM-2025-61', 'medium', 'measure recorded', { register: 'measures', topics: ['rare-earths'] }),
          change('MOFCOM-2025-61', 'high', '1E902 rare-earth technologies added', { topics: ['rare-earths', 'magnets'] }),
          change(null, 'low', 'baseline import', { register: 'tech-catalogue', publishedAt: null }),
        ],
      }),
    )!;
    expect(message.sections[0]!.heading).toBe('Changes (2 notices)');
    expect(message.sections[0]!.items.map((i) => [i.code, i.text])).toEqual([
      ['🟠 2025 No.61', '1E902 rare-earth technologies added; measure recorded'],
      ['🔵 Technology export catalogue', 'baseline import'],
    ]);
    expect(message.sections[0]!.items[0]!.details[0]).toBe(
      'Dual-use items list (两用物项出口管制清单), Export-control measures · published 2026-11-20 · topics: rare-earths, magnets',
    );
  });

  it('orders notices of equal severity by register, then newest publication', () => {
    const message = composeDigest(
      input({
        changeSets: [
          change('MOFCOM-2026-1', 'high', 'a', { register: 'watch-list', publishedAt: '2026-11-24' }),
          change('MOFCOM-2026-2', 'high', 'b', { register: 'tech-catalogue', publishedAt: '2026-11-23' }),
          change('MOFCOM-2026-3', 'high', 'c', { register: 'watch-list', publishedAt: '2026-11-26' }),
          change('MOFCOM-2026-4', 'critical', 'd', { register: 'watch-list', publishedAt: '2026-11-20' }),
        ],
      }),
    )!;
    expect(message.sections[0]!.items.map((i) => i.text)).toEqual(['d', 'b', 'c', 'a']);
  });

  it('caps every section with "… and N more"', () => {
    const message = composeDigest(
      input({
        changeSets: Array.from({ length: 30 }, (_, i) => change(`MOFCOM-2026-${i + 1}`, 'low', `change ${i + 1}`)),
        flaggedNotices: Array.from({ length: 4 }, (_, i) => ({ key: `MOFCOM-2026-${100 + i}`, title: 'title', flags: ['count mismatch'], url: null })),
        maxItems: 3,
      }),
    )!;
    expect(message.sections[0]!.heading).toBe('Changes (30 notices)');
    expect(message.sections[0]!.items).toHaveLength(4);
    expect(message.sections[0]!.items[3]).toMatchObject({ code: '…', text: 'and 27 more' });
    expect(message.sections[1]!.items.map((i) => i.text)).toEqual(['title', 'title', 'title', 'and 1 more']);
    expect(message.omitted).toBe(0);
    const defaults = composeDigest(input({ changeSets: Array.from({ length: 40 }, (_, i) => change(`MOFCOM-2026-${i + 1}`, 'low', 'x'.repeat(1000))) }))!;
    expect(defaults.sections[0]!.items).toHaveLength(26);
    expect(defaults.sections[0]!.items[0]!.text.length).toBeLessThanOrEqual(300);
  });

  it('lists flagged notices with their reasons, at most five each', () => {
    const message = composeDigest(
      input({
        flaggedNotices: [
          { key: 'MOFCOM-UEL-2025-9', title: '不可靠实体清单工作机制公告', flags: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], url: 'https://x.example/9' },
        ],
      }),
    )!;
    expect(message.sections[0]!.heading).toBe('Flagged for review');
    expect(message.sections[0]!.items[0]).toEqual({
      code: '⚠️ UEL 2025 No.9',
      text: '不可靠实体清单工作机制公告',
      gloss: null,
      details: ['a', 'b', 'c', 'd', 'e', '… and 2 more reasons', 'https://x.example/9'],
    });
    expect(message.severity).toBe('medium');
  });

  it('sends a short "no changes" digest for an empty period, or nothing when the subscription opted out', () => {
    const message = composeDigest(input({ deadlines: [{ ...ended, settled: true }] }))!;
    expect(message.sections).toEqual([]);
    expect(message.subtitle).toBe('No changes, flagged notices, deadlines or matching news this week.');
    expect(message.severity).toBe('info');
    expect(composeDigest(input({ subscription: { topics: [], keywords: [], timezone: 'UTC', emptyDigest: false } }))).toBeNull();
  });

  it('says sources were failing when a period is empty, and names them', () => {
    const message = composeDigest(input({ sources: { healthy: false, failing: ['exportcontrol', 'mofcom'], lastPollAt: '2026-11-28T07:15:00Z' } }))!;
    expect(message.subtitle).toContain('Some sources were failing');
    expect(message.context[0]).toBe('Sources: failing — exportcontrol, mofcom · last poll 2026-11-28 08:15');
    expect(composeDigest(input({ sources: { healthy: true, failing: [], lastPollAt: null } }))!.context[0]).toBe('Sources: all healthy · no poll yet');
  });

  it('is not empty while a deadline is open, and says there were no register changes', () => {
    const message = composeDigest(input({ subscription: { topics: [], keywords: [], timezone: 'UTC', emptyDigest: false }, deadlines: [ended] }))!;
    expect(message.sections.map((s) => s.heading)).toEqual(['Deadlines']);
    expect(message.subtitle).toBe('No register changes · 1 deadline');
  });

  it('formats a daily digest and its dates in the subscription zone', () => {
    const message = composeDigest(
      input({
        subscription: { topics: [], keywords: ['稀土'], timezone: 'America/New_York', emptyDigest: true },
        period: { from: new Date('2026-11-28T14:00:00Z'), to: new Date('2026-11-29T14:00:00Z') },
        news: [news(1, { published: '2026-11-29T03:00:00Z' })],
        sources: { healthy: true, failing: [], lastPollAt: '2026-11-29T13:55:00Z' },
      }),
    )!;
    expect(message.title).toBe('ExportWatch daily — #trade-compliance — 2026-11-28 to 2026-11-29 (America/New_York)');
    expect(message.sections[0]!.heading).toBe('News (1 matching "稀土")');
    expect(message.sections[0]!.items[0]!.text).toBe('Mining.com — "Rare earth story 1" (2026-11-28)');
    expect(message.context).toEqual(['Sources: all healthy · last poll 08:55', 'Covers 2026-11-28 09:00 to 2026-11-29 09:00 America/New_York']);
  });

  it('shows a daily digest sent at midnight as a single date', () => {
    const message = composeDigest(input({ period: { from: new Date('2026-11-27T23:00:00Z'), to: new Date('2026-11-28T23:00:00Z') } }))!;
    expect(message.title).toBe('ExportWatch daily — #trade-compliance — 2026-11-28 (Europe/Berlin)');
  });
});

describe('news deduplication', () => {
  it('drops the same article under a tracking link or a re-punctuated title, keeping the newest', () => {
    const items = [
      news(1, { link: 'https://www.news.example/a/?utm_source=x&utm_medium=rss#top', title: 'China suspends rare-earth curbs' }),
      news(2, { link: 'https://news.example/a', title: 'Other' }),
      news(3, { link: 'https://other.example/b', title: 'China Suspends Rare-Earth Curbs!' }),
      news(4, { link: 'https://news.example/c?id=7&fbclid=abc', title: 'Third' }),
    ];
    expect(dedupeNews(items).map((n) => n.title)).toEqual(['Third', 'China Suspends Rare-Earth Curbs!', 'Other']);
    expect(canonicalLink('https://news.example/c?id=7&fbclid=abc')).toBe('news.example/c?id=7');
    const message = composeDigest(input({ news: items }))!;
    expect(message.sections[0]!.heading).toBe('News (3 matching rare-earths, magnets)');
  });
});
