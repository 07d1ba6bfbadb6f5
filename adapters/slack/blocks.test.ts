// The Block Kit renderer: every message — arbitrary ones from fast-check, including hostile scraped text and
// oversized change sets — renders within Slack's limits with a text fallback and no markup it did not write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/alerts/message.js';
import { escapeMrkdwn, mrkdwnLink, safeUrl, truncateMrkdwn } from './escape.js';
import { layoutOf, renderHome, renderMessage, renderReply, SLACK_LIMITS } from './blocks.js';
import { mrkdwnProblems, payloadProblems } from './validate.js';

const hostile = fc.constantFrom(
  '<!channel>',
  '<!here|here>',
  '<@U0123ABCD>',
  '<#C0123ABCD|general>',
  '<https://evil.example/|Official text>',
  '<mailto:a@b.c|x>',
  '@channel',
  '@here please',
  '@everyone',
  '&amp;',
  '&lt;',
  '& <> &',
  '*bold* _it_ ~s~ `code`',
  '```',
  '稀土的提炼、加工、利用技术',
  '钐钴、钕铁硼、铈磁体制备技术',
  '🔴🟠🟡',
  '\u202eevil',
  '\u0000\u0007\u001b[31m',
  '\n\n',
  '|',
  '>quote',
);
const piece = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), hostile);
const text = (maxPieces: number) => fc.array(piece, { maxLength: maxPieces }).map((p) => p.join(''));
const longText = fc.oneof({ weight: 5, arbitrary: text(6) }, { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 6000 }) });
const url = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('javascript:alert(1)', 'https://a.example/x|y>z', 'not a url', 'https://user:pw@h.example/', 'http://h.example/<script>'),
);
const item = fc.record({ code: text(2), text: longText, gloss: fc.option(text(3), { nil: null }), details: fc.array(longText, { maxLength: 12 }) });
const severity = fc.constantFrom('critical', 'high', 'medium', 'low', 'info') as fc.Arbitrary<Message['severity']>;
const title = fc.oneof(
  longText,
  text(4).map((t) => `ExportWatch weekly — ${t}`),
  text(3).map((t) => `⚠️ Source "${t}" failing`),
);
const message: fc.Arbitrary<Message> = fc.record({
  title,
  severity,
  subtitle: fc.option(longText, { nil: null }),
  links: fc.array(fc.record({ label: text(3), url }), { maxLength: 8 }),
  sections: fc.array(fc.record({ heading: text(3), items: fc.array(item, { maxLength: 40 }) }), { maxLength: 12 }),
  omitted: fc.nat({ max: 500 }),
  context: fc.array(longText, { maxLength: 16 }),
});

describe('escaping', () => {
  it('neutralises mentions, links and entities', () => {
    expect(escapeMrkdwn('<!channel> <@U1> <http://x|y> & @here')).toBe('&lt;!channel&gt; &lt;@U1&gt; &lt;http://x|y&gt; &amp; @\u2060here');
    expect(mrkdwnProblems(escapeMrkdwn('<!channel> a & b <@U123> @everyone'))).toEqual([]);
    expect(mrkdwnProblems('<!channel>')).not.toEqual([]);
  });

  it('builds links only from http(s) URLs that cannot break out', () => {
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('https://a.example/x|y>z')).toBe('https://a.example/x%7Cy%3Ez');
    expect(mrkdwnLink('https://www.mofcom.gov.cn/a.html', 'Official <text>')).toBe('<https://www.mofcom.gov.cn/a.html|Official &lt;text&gt;>');
    expect(mrkdwnLink('ftp://x', 'label')).toBe('label (ftp://x)');
  });

  it('never cuts an entity or a link in half', () => {
    const cut = truncateMrkdwn(`${'a'.repeat(10)}&amp;${'b'.repeat(10)}`, 13);
    expect(cut).toBe(`${'a'.repeat(10)}…`);
    expect(truncateMrkdwn(`x <https://a.example/|label> y`, 10)).toBe('x …');
  });
});

describe('renderMessage', () => {
  it('keeps every arbitrary message within Block Kit limits, with a fallback and no foreign markup', () => {
    fc.assert(
      fc.property(message, fc.boolean(), (m, thread) => {
        const r = renderMessage(m, { thread });
        expect(payloadProblems(r.main)).toEqual([]);
        for (const reply of r.thread) expect(payloadProblems(reply)).toEqual([]);
        expect(r.thread.length).toBeLessThanOrEqual(5);
        if (!thread) expect(r.thread).toEqual([]);
        const reply = renderReply(m, { shareValue: JSON.stringify({ t: 'check x' }), sharedBy: '<@U0123ABCD>' });
        expect(payloadProblems(reply, { allowMentions: true })).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('summarises a long change set and details it in the thread', () => {
    const items = Array.from({ length: 120 }, (_, i) => ({
      code: `05${String(i).padStart(4, '0')}J`,
      text: `稀土技术 ${i} <!channel>`,
      gloss: `rare-earth technology ${i}`,
      details: [`control point ${i}: before → after`],
    }));
    const m: Message = {
      title: '🔴 Technology export catalogue changed — 120 prohibitions added',
      severity: 'critical',
      subtitle: 'MOFCOM & MOST Announcement 2023 No.57 · published 2023-12-21',
      links: [{ label: 'Official text (Chinese)', url: 'https://www.mofcom.gov.cn/zfxxgk/art/2023/art_1.html' }],
      sections: [{ heading: 'ADDED — prohibited', items }],
      omitted: 31,
      context: ['Notice MOFCOM-2023-57', 'Detected 2023-12-21 16:05 CST (08:05 UTC)'],
    };
    const r = renderMessage(m, { thread: true });
    expect(r.main.blocks[0]).toMatchObject({ type: 'header' });
    // The official link comes right after the summary.
    expect(JSON.stringify(r.main.blocks[2])).toContain('Official text:* <https://www.mofcom.gov.cn/');
    const main = JSON.stringify(r.main.blocks);
    expect(main).toContain('050000J');
    expect(main).not.toContain('050050J');
    expect(main).toMatch(/and 110 more changes in the thread/);
    expect(main).toMatch(/and 31 more changes not listed/);
    expect(r.thread.length).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(r.thread)).toContain('050119J');
    const noThread = renderMessage(m, { thread: false });
    expect(noThread.thread).toEqual([]);
    expect(JSON.stringify(noThread.main.blocks)).toMatch(/and 110 more items not shown here/);
  });

  it('gives digests and source-health alerts their own layouts', () => {
    const digest: Message = {
      title: 'ExportWatch weekly — #trade — 2026-11-23 to 2026-11-29 (Europe/Berlin)',
      severity: 'high',
      subtitle: '3 notices changed registers',
      links: [],
      sections: [{ heading: 'Changes (3 notices)', items: [{ code: '🔴 2026 No.96', text: 'scandium', gloss: null, details: [] }] }],
      omitted: 0,
      context: ['Sources: all healthy'],
    };
    expect(layoutOf(digest)).toBe('digest');
    const d = renderMessage(digest).main;
    expect(d.blocks[0]).toMatchObject({ type: 'header' });
    expect(JSON.stringify(d.blocks[1])).not.toContain('*High*');
    const health: Message = {
      ...digest,
      title: '⚠️ Source "exportcontrol" failing since now (4 polls): mojibake',
      sections: [],
      subtitle: 'Registers unchanged.',
    };
    expect(layoutOf(health)).toBe('health');
    expect(renderMessage(health).main.blocks[0]).toMatchObject({ type: 'section' });
  });

  it('renders the App Home within 100 blocks', () => {
    const sub = {
      id: 1,
      destination: 'slack:T1/C1',
      topics: ['rare-earths'],
      keywords: ['<!channel>'],
      minSeverity: 'info' as const,
      mode: 'immediate+weekly' as const,
      digestDay: 1,
      digestHour: 9,
      digestMinute: 0,
      timezone: 'UTC',
      mutedUntil: null,
      emptyDigest: true,
      createdAt: '2026-01-01T00:00:00Z',
    };
    const view = renderHome({
      channels: Array.from({ length: 60 }, (_, i) => ({ channelId: `C0${i}ABC`, subscriptions: [sub, sub] })),
      uncheckedChannels: 3,
      latest: Array.from({ length: 12 }, () => ({
        message: { ...sub, title: 'x <@U1>', severity: 'info', subtitle: null, links: [], sections: [], omitted: 0, context: [] },
        occurredAt: '2026-11-29T00:00:00Z',
      })),
      now: new Date('2026-11-29T00:00:00Z'),
    });
    expect(view.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.homeBlocks);
    expect(payloadProblems({ text: 'home', blocks: view.blocks, unfurl_links: false, unfurl_media: false }, { maxBlocks: 100, allowMentions: true })).toEqual(
      [],
    );
  });
});
