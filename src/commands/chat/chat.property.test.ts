// Whatever a person types, runChatCommand answers with a small, well-formed reply and never throws.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEVERITY_ORDER } from '../../domain/types.js';
import { openFixture, type Fixture } from './fixture.test-support.js';
import { CHAT_COMMANDS, runChatCommand, type ChatContext } from './index.js';
import { MAX_CONTEXT, MAX_DETAILS, MAX_LINKS, MAX_SECTION_ITEMS, MAX_SECTIONS, MAX_TEXT, MAX_TITLE } from './text.js';

const dir = mkdtempSync(join(tmpdir(), 'exportwatch-chat-prop-'));
let fixture: Fixture;
let ctx: ChatContext;

beforeAll(() => {
  fixture = openFixture(join(dir, 'chat.db'));
  ctx = {
    app: fixture.app,
    platform: 'teams',
    destination: 'teams:19:prop@thread.tacv2',
    user: { id: 'U1', name: 'Prop', isMember: true, isAdmin: true },
    sources: [],
  };
});

afterAll(() => {
  fixture.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const length = (s: string): number => [...s].length;

// Characters that have tripped parsers before: quotes of every kind, full-width and invisible characters, FTS and SQL syntax.
const tricky = fc.constantFrom(
  '"',
  '“',
  '”',
  '「',
  '」',
  '\u3000',
  '\u200b',
  '\u202e',
  '\u0000',
  '\ufeff',
  '*',
  ':',
  '^',
  '(',
  ')',
  "'",
  ';',
  '-',
  'NEAR',
  'OR',
  '%',
  '\ud800',
  '稀土',
  '8h',
  'weekly',
  'high',
  'rare-earths',
  '__proto__',
  'constructor',
  'off',
);
const fragment = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), tricky);
const input = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 800 }),
  fc
    .tuple(fc.constantFrom(...CHAT_COMMANDS, 'lookup', 'CHECK', 'ｓｕｂｓｃｒｉｂｅ', '__proto__'), fc.array(fragment, { maxLength: 12 }))
    .map(([c, parts]) => `${c} ${parts.join(' ')}`),
);

describe('runChatCommand on arbitrary input', () => {
  it('never throws and always answers with a titled, bounded message', () => {
    fc.assert(
      fc.property(input, (text) => {
        const reply = runChatCommand(ctx, text);
        const m = reply.message;
        expect(m.title.trim()).not.toBe('');
        expect(length(m.title)).toBeLessThanOrEqual(MAX_TITLE);
        expect(SEVERITY_ORDER).toContain(m.severity);
        expect(['ephemeral', 'in_channel']).toContain(reply.visibility);
        expect([...CHAT_COMMANDS]).toContain(reply.command);
        expect(m.sections.length).toBeLessThanOrEqual(MAX_SECTIONS);
        expect(m.links.length).toBeLessThanOrEqual(MAX_LINKS);
        expect(m.context.length).toBeLessThanOrEqual(MAX_CONTEXT);
        if (m.subtitle !== null) expect(length(m.subtitle)).toBeLessThanOrEqual(MAX_TEXT);
        for (const section of m.sections) {
          expect(section.items.length).toBeLessThanOrEqual(MAX_SECTION_ITEMS + 1);
          for (const item of section.items) {
            expect(length(item.text)).toBeLessThanOrEqual(MAX_TEXT);
            expect(length(item.gloss ?? '')).toBeLessThanOrEqual(MAX_TEXT);
            expect(item.details.length).toBeLessThanOrEqual(MAX_DETAILS + 1);
            for (const d of item.details) expect(length(d)).toBeLessThanOrEqual(MAX_TEXT);
          }
        }
        for (const line of m.context) expect(length(line)).toBeLessThanOrEqual(MAX_TEXT);
        if (reply.command === 'check' && reply.shareable) expect(m.context.at(-1)).toMatch(/^No match is not a clearance/);
      }),
      { numRuns: 400 },
    );
  });
});
