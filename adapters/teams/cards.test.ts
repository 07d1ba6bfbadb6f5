// The Adaptive Card renderer: every message — real change sets, and arbitrary ones from fast-check with hostile scraped
// text and oversized change sets — renders a card Microsoft's adaptivecards library parses without a warning, within
// the bot and Workflows size bounds, with no markup or link it did not write, and summarised (whole changes counted)
// rather than cut when too big.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Message, MessageItem } from '../../src/alerts/message.js';
import { openApp } from '../../src/app.js';
import { buildChangeMessage } from '../../src/alerts/change-message.js';
import { replayTimeline } from '../../src/demo.js';
import { tempDir } from '../../test/helpers.js';
import {
  BOT_MESSAGE_MAX_BYTES,
  cardActivity,
  DETAILS_ID,
  escapeCardMarkdown,
  markdownLink,
  parseEdit,
  renderCard,
  renderWorkflowCard,
  safeUrl,
  utf16Bytes,
  utf8Bytes,
  WORKFLOW_MAX_BYTES,
  workflowEnvelope,
  type AdaptiveCard,
} from './cards.js';
import { cardProblems } from './validate.test-support.js';

/** Markdown links `[label](url)` whose brackets are not escaped. */
export function markdownLinks(text: string): string[] {
  const urls: string[] = [];
  let depth = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (c === '[') depth = i;
    else if (c === ']' && depth >= 0 && text[i + 1] === '(') {
      const close = text.indexOf(')', i + 2);
      if (close > 0) urls.push(text.slice(i + 2, close));
      depth = -1;
    }
  }
  return urls;
}

/** Markdown characters without a backslash, after removing the markup the renderer writes itself. */
function strayMarkup(text: string): string[] {
  const own = text
    .replace(/(?<!\\)\[((?:\\.|[^\]\\\n])*)\]\([^)\s]*\)/g, '$1')
    .replace(/^🔗 \*\*((?:\\.|[^*\\])*)\*\*/, '$1')
    .replace(/\*\*(Show details|Critical|High|Medium|Low|Info)\*\*/g, '$1')
    .replace(/^\*\*((?:\\.|[^*\\])+)\*\* /, '$1 ')
    .replace(/^_gloss: ([\s\S]*)_$/, '$1');
  const found: string[] = [];
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '\\') {
      i += 1;
      continue;
    }
    if ('*_`~[]|'.includes(own[i]!)) found.push(own[i]!);
  }
  return found;
}

function texts(card: AdaptiveCard): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const node = v as Record<string, unknown>;
      if (node.type === 'TextBlock' && typeof node.text === 'string') out.push(node.text);
      Object.values(node).forEach(walk);
    }
  };
  walk(card.body);
  return out;
}

function expectValid(card: AdaptiveCard): void {
  expect(cardProblems(card)).toEqual([]);
}

const hostile = fc.constantFrom(
  '**bold**',
  '_it_',
  '~~s~~',
  '`code`',
  '[click](https://evil.example/)',
  '[x]: https://evil.example/',
  '- item',
  '1. first',
  '# heading',
  '> quote',
  '<at>Everyone</at>',
  '<b>html</b>',
  '|a|b|',
  '\\',
  '稀土的提炼、加工、利用技术',
  '钐钴、钕铁硼、铈磁体制备技术',
  '🔴🟠🟡',
  '\u202eevil',
  '\u0000\u0007\u001b[31m',
  '\n\n',
  'label: before → after',
);
const piece = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), hostile);
const text = (maxPieces: number) => fc.array(piece, { maxLength: maxPieces }).map((p) => p.join(''));
const longText = fc.oneof({ weight: 5, arbitrary: text(6) }, { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 6000 }) });
const url = fc.oneof(
  fc.webUrl(),
  fc.constantFrom('javascript:alert(1)', 'https://a.example/x)y](z', 'not a url', 'https://user:pw@h.example/', 'http://h.example/<script>'),
);
const item = fc.record({
  code: text(2),
  text: longText,
  gloss: fc.option(text(3), { nil: null }),
  details: fc.array(fc.oneof(longText, url), { maxLength: 12 }),
});
const severity = fc.constantFrom('critical', 'high', 'medium', 'low', 'info') as fc.Arbitrary<Message['severity']>;
const message: fc.Arbitrary<Message> = fc.record({
  title: longText,
  severity,
  subtitle: fc.option(longText, { nil: null }),
  links: fc.array(fc.record({ label: text(3), url }), { maxLength: 8 }),
  sections: fc.array(fc.record({ heading: text(3), items: fc.array(item, { maxLength: 40 }) }), { maxLength: 12 }),
  omitted: fc.nat({ max: 500 }),
  context: fc.array(longText, { maxLength: 16 }),
});

describe('card markdown escaping', () => {
  it('escapes the markdown subset so outside text shows as written', () => {
    expect(escapeCardMarkdown('**bold** _it_ [x](https://e.example) `c` ~s~ |')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\[x\\](https://e.example) \\`c\\` \\~s\\~ \\|',
    );
    expect(escapeCardMarkdown('- not a list')).toBe('\\- not a list');
    expect(escapeCardMarkdown('1. not a list')).toBe('1\\. not a list');
    expect(escapeCardMarkdown('# not a heading\nsecond line')).toBe('\\# not a heading second line');
    expect(escapeCardMarkdown('稀土\u202e\u0000 a\\b')).toBe('稀土 a\\\\b');
    expect(markdownLink('javascript:alert(1)', 'x')).toBe('x (javascript:alert(1))');
    expect(markdownLink('https://e.example/a b)c', 'l[1]')).toBe('[l\\[1\\]](https://e.example/a%20b%29c)');
    expect(safeUrl('https://user:pw@e.example/')).toBeNull();
    expect(parseEdit('~ control point 2: 钕铁硼 → 钐钴')).toEqual({ label: '~ control point 2', before: '钕铁硼', after: '钐钴' });
    expect(parseEdit('control point 1: no arrow')).toBeNull();
  });

  it('leaves no unescaped markdown character in any escaped text', () => {
    fc.assert(
      fc.property(longText, (t) => {
        const escaped = escapeCardMarkdown(t);
        expect(strayMarkup(escaped)).toEqual([]);
        expect(markdownLinks(escaped)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('cards', () => {
  it('render every message as a valid 1.5 card within both bounds, linking only to its own URLs', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bot = cardActivity(m);
        const workflow = renderWorkflowCard(m);
        for (const card of [bot.activity.attachments[0].content, workflow.card]) {
          expectValid(card);
          expect(card.version).toBe('1.5');
          const allowed = new Set(
            [...m.links.map((l) => l.url), ...m.sections.flatMap((s) => s.items.flatMap((i) => i.details))].map((u) => safeUrl(u)).filter((u) => u !== null),
          );
          for (const t of texts(card)) {
            for (const link of markdownLinks(t)) expect(allowed.has(link), link).toBe(true);
            expect(strayMarkup(t), t.slice(0, 200)).toEqual([]);
          }
          for (const action of card.actions ?? []) if (action.type === 'Action.OpenUrl') expect(allowed.has(action.url as string)).toBe(true);
        }
        expect(utf16Bytes(bot.activity) + 2048).toBeLessThanOrEqual(BOT_MESSAGE_MAX_BYTES);
        expect(utf8Bytes(workflowEnvelope(workflow.card))).toBeLessThanOrEqual(WORKFLOW_MAX_BYTES);
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('show a header coloured by severity, facts, before → after edits, the official link first and as Action.OpenUrl', () => {
    const m: Message = {
      title: '🔴 Technology export catalogue changed — 1 prohibition added',
      severity: 'critical',
      subtitle: 'MOFCOM 2026 No.94 · published 2026-11-02',
      links: [
        { label: 'Official text (Chinese)', url: 'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_1.html' },
        { label: 'Also published at', url: 'https://exportcontrol.mofcom.gov.cn/article/1.html' },
      ],
      sections: [
        {
          heading: 'MODIFIED — prohibited',
          items: [
            {
              code: '053302J',
              text: '稀土的提炼、加工、利用技术',
              gloss: 'rare-earth extraction, processing and use',
              details: ['control point: 钕铁硼 → 钐钴、钕铁硼'],
            },
          ],
        },
      ],
      omitted: 0,
      context: ['Notice MOFCOM-2026-94', 'Detected 2026-11-02 16:05 CST (08:05 UTC)', 'Glosses are for orientation only, not official translations.'],
    };
    const { card } = renderCard(m);
    expectValid(card);
    const json = JSON.stringify(card);
    expect(card.body[0]).toMatchObject({ type: 'Container', style: 'attention' });
    expect(json).toContain('"color":"Attention"');
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: expect.stringContaining('[Official text (Chinese)](https://www.mofcom.gov.cn/') });
    expect(card.body[2]).toMatchObject({
      type: 'FactSet',
      facts: expect.arrayContaining([
        { title: 'Severity', value: 'Critical' },
        { title: 'Notice', value: 'MOFCOM-2026-94' },
      ]),
    });
    expect(json).toContain('**053302J** 稀土的提炼、加工、利用技术');
    expect(json).toContain('_gloss: rare-earth extraction, processing and use_');
    expect(json).toContain('{"type":"TextRun","text":"钕铁硼","strikethrough":true,"isSubtle":true}');
    expect(json).toContain('{"type":"TextRun","text":"钐钴、钕铁硼","weight":"Bolder"}');
    expect(card.actions?.[0]).toEqual({
      type: 'Action.OpenUrl',
      title: 'Official text (Chinese)',
      url: 'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_1.html',
    });
    expect(json).not.toContain('ToggleVisibility');
    for (const [sev, style] of [
      ['high', 'warning'],
      ['medium', 'accent'],
      ['low', 'emphasis'],
      ['info', 'default'],
    ] as const) {
      expect(renderCard({ ...m, severity: sev }).card.body[0]).toMatchObject({ style });
    }
  });

  it('put long change sets behind "Show details" and summarise what does not fit by whole changes', () => {
    const items: MessageItem[] = Array.from({ length: 400 }, (_, i) => ({
      code: `05${String(i).padStart(4, '0')}X`,
      text: `稀土永磁材料制备技术第${i}项，包括钐钴、钕铁硼、铈磁体的制备与加工工艺`,
      gloss: 'rare-earth permanent magnet preparation technology',
      details: [`control point 1: 旧的控制要点${i} → 新的控制要点${i}`],
    }));
    const m: Message = {
      title: '🟠 Dual-use items list changed — 400 entries added',
      severity: 'high',
      subtitle: null,
      links: [{ label: 'Official text (Chinese)', url: 'https://www.mofcom.gov.cn/a.html' }],
      sections: [{ heading: 'ADDED', items }],
      omitted: 5,
      context: ['Notice MOFCOM-2026-1'],
    };
    for (const rendered of [renderCard(m), renderWorkflowCard(m)]) {
      const { card } = rendered;
      expectValid(card);
      expect(rendered.summarised).toBe(true);
      expect(rendered.shownItems).toBeGreaterThan(5);
      expect(rendered.shownItems).toBeLessThan(400);
      expect(rendered.totalItems).toBe(405);
      const json = JSON.stringify(card);
      expect(card.actions).toContainEqual({ type: 'Action.ToggleVisibility', title: 'Show details', targetElements: [DETAILS_ID] });
      expect(card.body.find((e) => e.id === DETAILS_ID)).toMatchObject({ type: 'Container', isVisible: false });
      expect(json).toContain(`… and ${405 - rendered.shownItems} more changes not listed here — see the official text.`);
      expect(card.body.find((e) => e.type === 'FactSet')).toMatchObject({
        facts: expect.arrayContaining([{ title: 'Changes', value: `405 (${rendered.shownItems} shown here)` }]),
      });
      // Whole changes: every shown one complete, none cut.
      for (let i = 0; i < rendered.shownItems; i++) expect(json).toContain(`**${items[i]!.code}** ${items[i]!.text}`);
      expect(json).not.toContain(`**${items[rendered.shownItems]!.code}**`);
    }
    expect(utf8Bytes(workflowEnvelope(renderWorkflowCard(m).card))).toBeLessThanOrEqual(WORKFLOW_MAX_BYTES);
    expect(renderWorkflowCard(m).shownItems).toBeLessThan(renderCard(m).shownItems);
  });

  it('render every real change set of the demo timeline', () => {
    const dir = tempDir();
    const app = openApp({ databasePath: join(dir.path, 'cards.db') });
    try {
      const results = replayTimeline(app);
      let toggled = 0;
      for (const r of results) {
        for (const maxItems of [12, 10_000]) {
          const m = buildChangeMessage({ changes: r.changes, notice: r.notice, detectedAt: r.detectedAt, gloss: app.gloss, baseline: r.baseline, maxItems });
          for (const rendered of [cardActivity(m).rendered, renderWorkflowCard(m)]) {
            expectValid(rendered.card);
            if (rendered.card.actions?.some((a) => a.type === 'Action.ToggleVisibility')) toggled += 1;
          }
        }
      }
      expect(toggled).toBeGreaterThan(0);
    } finally {
      app.close();
      dir.remove();
    }
  });
});
