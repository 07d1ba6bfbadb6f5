import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '../../alerts/message.js';
import type { SourceConfig } from '../../sources/config.js';
import { listSubscriptions } from '../../../storage/subscriptions.js';
import { recordFailure, recordSuccess } from '../../../storage/sources.js';
import { NO_CLEARANCE_NOTE } from '../check.js';
import { openFixture, type Fixture } from './fixture.test-support.js';
import { CHAT_HELP, CHAT_MAX_INPUT, runChatCommand, type ChatContext, type ChatUser } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'exportwatch-chat-'));
let fixture: Fixture;

const SOURCES: SourceConfig[] = [
  {
    id: 'exportcontrol',
    kind: 'export-control-columns',
    baseUrl: 'https://exportcontrol.mofcom.gov.cn',
    columns: [1],
    every: '1h',
    everyMs: 3_600_000,
    pages: 1,
  },
  { id: 'mofcom-news', kind: 'html-index', url: 'https://www.mofcom.gov.cn/', baseUrl: 'https://www.mofcom.gov.cn/', every: '1h', everyMs: 3_600_000 },
];

const member: ChatUser = { id: 'U100', name: 'Mei Lin', isMember: true, isAdmin: false };

let channel = 0;
/** A context in a channel of its own, so subscription tests do not see each other's subscriptions. */
function context(overrides: Partial<ChatContext> = {}): ChatContext {
  channel += 1;
  return { app: fixture.app, platform: 'slack', destination: `slack:T1/C${channel}`, user: member, sources: SOURCES, ...overrides };
}

function allText(m: Message): string {
  return [
    m.title,
    m.subtitle ?? '',
    ...m.links.map((l) => `${l.label} ${l.url}`),
    ...m.sections.flatMap((s) => [s.heading, ...s.items.flatMap((i) => [i.code, i.text, i.gloss ?? '', ...i.details])]),
    ...m.context,
  ].join('\n');
}

beforeAll(() => {
  fixture = openFixture(join(dir, 'chat.db'));
});

afterAll(() => {
  fixture.app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('check', () => {
  it('answers "NdFeB magnet" as MESSAGES.md §4 shows: the prohibited technology by its control point, then the suspended dual-use item', () => {
    const reply = runChatCommand(context(), 'check NdFeB magnet');
    expect(reply).toMatchObject({ command: 'check', visibility: 'ephemeral', shareable: true });
    const m = reply.message;
    expect(m.title).toBe('2 matches for "NdFeB magnet" (钕铁硼, 磁体)');
    expect(m.severity).toBe('critical');
    expect(m.subtitle).toContain('as of 2025-07-15');
    const [tech, dual] = m.sections[0]!.items;
    expect(tech).toEqual({
      code: '🔴 PROHIBITED 053302J',
      text: '稀土的提炼、加工、利用技术',
      gloss: expect.stringContaining('rare earth'),
      details: ['control point 3: 钐钴、钕铁硼、铈磁体制备技术', 'technology catalogue · since 2023-12-21'],
    });
    expect(dual).toEqual({
      code: '🟠 LICENCE 1E902.a',
      text: '稀土磁体制造技术及其载体',
      gloss: expect.stringContaining('magnet'),
      details: ['dual-use list · since 2026-11-20', 'suspended until 2027-11-10'],
    });
    expect(m.links[0]).toEqual({ label: 'Open official text (Chinese)', url: 'https://www.mofcom.gov.cn/zcfb/blgg/gg/2023/index.html' });
    expect(m.context.at(-1)).toBe(NO_CLEARANCE_NOTE);
  });

  it('answers Chinese (稀土) across registers, with lookup as an alias', () => {
    const reply = runChatCommand(context(), 'lookup 稀土');
    expect(reply.command).toBe('check');
    expect(reply.shareable).toBe(true);
    expect(reply.message.title).toBe('3 matches for "稀土"');
    expect(reply.message.sections[0]!.items.map((i) => i.code)).toEqual(['🔴 PROHIBITED 053302J', '⏸️ SUSPENDED MOFCOM-2025-61', '🟠 LICENCE 1E902.a']);
    expect(reply.message.context.at(-1)).toBe(NO_CLEARANCE_NOTE);
  });

  it('finds a restricted technology in English and a listed entity by name', () => {
    const lidar = runChatCommand(context(), 'CHECK lidar').message;
    expect(lidar.sections[0]!.items[0]).toMatchObject({ code: '🟠 RESTRICTED 233901X', text: '激光雷达系统' });
    const acme = runChatCommand(context(), 'check Acme Dynamics').message;
    expect(acme.sections[0]!.items[0]).toMatchObject({
      code: '⚠️ LISTED acme dynamics systems inc',
      text: '阿克米动力系统公司',
      gloss: 'Acme Dynamics Systems, Inc.',
      details: ['export control list · since 2026-11-25'],
    });
  });

  it('says no match is not a clearance when nothing matches', () => {
    const reply = runChatCommand(context(), 'check quantum teleportation widget');
    expect(reply.message.title).toMatch(/^No match for "quantum teleportation widget"/);
    expect(reply.message.sections).toEqual([]);
    expect(reply.message.context.at(-1)).toBe('No match is not a clearance: the lists are published in Chinese and change often.');
    expect(reply.shareable).toBe(true);
  });

  it('lists at most 15 hits and counts the rest', () => {
    const m = runChatCommand(context(), 'check polaris avionics').message;
    expect(m.title).toMatch(/^19 matches for "polaris avionics"/);
    const items = m.sections[0]!.items;
    expect(items).toHaveLength(16);
    expect(items.at(-1)).toMatchObject({ code: '…', text: 'and 4 more: refine the query' });
  });

  it('gives usage for an empty query and for one longer than check accepts', () => {
    const empty = runChatCommand(context(), 'check');
    expect(empty).toMatchObject({ command: 'check', shareable: false, visibility: 'ephemeral' });
    expect(empty.message.title).toBe('Usage: check <query>');
    const long = runChatCommand(context(), `check ${'magnet '.repeat(40)}`);
    expect(long.message.subtitle).toContain('longer than 200 characters');
  });
});

describe('item', () => {
  it('shows a technology in full with its versions and the notices that changed it', () => {
    const reply = runChatCommand(context(), 'item 053302j');
    expect(reply).toMatchObject({ command: 'item', visibility: 'ephemeral', shareable: false });
    const m = reply.message;
    expect(m.title).toBe('🔴 PROHIBITED 053302J 稀土的提炼、加工、利用技术');
    const [now, versions, changes] = m.sections;
    expect(now!.items).toContainEqual({ code: 'control point 3', text: '钐钴、钕铁硼、铈磁体制备技术', gloss: null, details: [] });
    expect(versions!.items.map((i) => i.code)).toEqual(['2023-12-21 → now', '2008-11-01 → 2023-12-21']);
    expect(changes!.items[0]).toMatchObject({
      code: '2023-12-21 MODIFIED',
      details: expect.arrayContaining(['+ control point 3: 钐钴、钕铁硼、铈磁体制备技术']),
    });
    expect(m.links[0]!.url).toBe('https://www.mofcom.gov.cn/zcfb/blgg/gg/2023/index.html');
  });

  it('shows a suspended dual-use item and measure with the suspension and the suspending notice first', () => {
    const dual = runChatCommand(context(), 'item 1e902.A').message;
    expect(dual.title).toBe('🟠 LICENCE 1E902.a 稀土磁体制造技术及其载体');
    expect(dual.subtitle).toContain('suspended until 2027-11-10');
    expect(dual.links.map((l) => l.url)).toEqual([
      'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_97.html',
      'https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_61.html',
    ]);
    const measure = runChatCommand(context(), 'item mofcom-2025-61').message;
    expect(measure.title).toMatch(/^⏸️ SUSPENDED MOFCOM-2025-61 /);
    expect(measure.sections[1]!.items.map((i) => i.text)).toEqual(['⏸️ SUSPENDED', '🟡 IN FORCE']);
  });

  it('shows a removed entry as no longer listed, and an unknown key with a friendly message', () => {
    expect(runChatCommand(context(), 'item 050302J').message.title).toBe('050302J 微生物肥料技术 — no longer listed');
    const unknown = runChatCommand(context(), 'item 999999J');
    expect(unknown.message.title).toBe('Nothing is recorded under "999999J"');
    expect(unknown.message.subtitle).toMatch(/ever had an entry/);
    const notAKey = runChatCommand(context(), 'item quantum widget');
    expect(notAKey.message.subtitle).toMatch(/not a key of any register/);
    expect(notAKey.message.context[0]).toContain('check quantum widget');
    expect(runChatCommand(context(), 'item').message.title).toBe('Usage: item <key>');
  });
});

describe('recent', () => {
  it('groups the last 7 days by notice, newest first, each group bounded', () => {
    const reply = runChatCommand(context(), 'recent');
    expect(reply.command).toBe('recent');
    const m = reply.message;
    expect(m.title).toBe('🟠 22 changes in the last 7 days');
    expect(m.sections.map((s) => s.heading)).toEqual([
      'export control list · 商务部公告2026年第95号 · detected 2026-11-26 · 20 changes',
      'measures · 商务部公告2026年第97号 · detected 2026-11-24 · 1 change',
      'dual-use list · 商务部公告2026年第97号 · detected 2026-11-24 · 1 change',
    ]);
    expect(m.sections[0]!.items).toHaveLength(6);
    expect(m.sections[0]!.items.at(-1)).toMatchObject({ code: '…', text: 'and 15 more' });
    expect(m.sections[2]!.items[0]).toMatchObject({ code: '🟠 SUSPENDED 1E902.a', details: ['suspended until 2027-11-10'] });
    expect(m.links[0]!.url).toBe('https://exportcontrol.mofcom.gov.cn/article/2026/95.html');
  });

  it('takes a number of days from 1 to 90', () => {
    expect(runChatCommand(context(), 'recent 2').message.title).toBe('No changes in the last 2 days');
    expect(runChatCommand(context(), 'recent 90').message.title).toBe('🟠 22 changes in the last 90 days');
    const bad = runChatCommand(context(), 'recent 400');
    expect(bad.command).toBe('recent');
    expect(bad.message.subtitle).toContain('from 1 to 90');
  });
});

describe('subscriptions', () => {
  it('subscribes the channel to topics and keywords, announcing in the channel who did it', () => {
    const ctx = context();
    const reply = runChatCommand(ctx, 'subscribe rare-earths Magnets gallium "rare earth" weekly high');
    expect(reply).toMatchObject({ command: 'subscribe', visibility: 'in_channel', shareable: false });
    expect(reply.message.title).toBe('✅ Mei Lin subscribed this channel to topics magnets, rare-earths; keywords "gallium", "rare earth"');
    const [sub] = listSubscriptions(fixture.app.db, { destination: ctx.destination });
    expect(sub).toMatchObject({ topics: ['magnets', 'rare-earths'], keywords: ['gallium', 'rare earth'], mode: 'weekly', minSeverity: 'high' });
    // the same interest again updates instead of adding
    const again = runChatCommand(ctx, 'subscribe rare-earths magnets gallium "rare earth" weekly critical');
    expect(again.message.title).toContain('updated this channel’s subscription');
    expect(listSubscriptions(fixture.app.db, { destination: ctx.destination })).toHaveLength(1);
  });

  it('subscribes to everything, and says so', () => {
    const ctx = context({ user: { id: 'U7', isMember: true, isAdmin: false } });
    const reply = runChatCommand(ctx, 'subscribe everything');
    expect(reply.message.title).toBe('✅ U7 subscribed this channel to everything');
    expect(listSubscriptions(fixture.app.db, { destination: ctx.destination })[0]).toMatchObject({
      topics: [],
      keywords: [],
      mode: 'immediate',
      minSeverity: 'info',
    });
  });

  it('refuses changes from someone who is not a member of the channel, and from a non-admin where changes are admin-only', () => {
    const outsider = context({ user: { id: 'U9', name: 'Visitor', isMember: false, isAdmin: true } });
    for (const text of ['subscribe magnets', 'unsubscribe', 'mute 8h']) {
      const reply = runChatCommand(outsider, text);
      expect(reply.visibility).toBe('ephemeral');
      expect(reply.message.title).toBe('Only members of this channel can change its subscriptions');
    }
    expect(listSubscriptions(fixture.app.db, { destination: outsider.destination })).toEqual([]);

    const adminOnly = context({ adminOnly: true });
    const refused = runChatCommand(adminOnly, 'subscribe magnets');
    expect(refused.message.title).toBe('Only ExportWatch admins can change subscriptions here');
    expect(listSubscriptions(fixture.app.db, { destination: adminOnly.destination })).toEqual([]);
    const admin = { ...adminOnly, user: { ...member, isAdmin: true } };
    expect(runChatCommand(admin, 'subscribe magnets').visibility).toBe('in_channel');
    // reading is open to everyone
    expect(runChatCommand({ ...adminOnly, user: { id: 'U9', isMember: false, isAdmin: false } }, 'subscriptions').message.title).toBe(
      'This channel has 1 subscription',
    );
  });

  it('reports subscription input the store would refuse as usage', () => {
    const tooMany = runChatCommand(context(), `subscribe ${Array.from({ length: 21 }, (_, i) => `word${i}`).join(' ')}`);
    expect(tooMany).toMatchObject({ command: 'subscribe', visibility: 'ephemeral' });
    expect(tooMany.message.subtitle).toContain('at most 20 keywords');
    const longWord = runChatCommand(context(), `subscribe ${'k'.repeat(80)}`);
    expect(longWord.message.subtitle).toContain('longer than 60 characters');
    const badDestination = runChatCommand(context({ destination: 'slack:not a channel' }), 'subscribe magnets');
    expect(badDestination.message.title).toBe('Usage: subscribe <topics|keywords…> [mode] [lowest severity]');
  });

  it('lists, mutes, unmutes and unsubscribes a channel', () => {
    const ctx = context();
    expect(runChatCommand(ctx, 'subscriptions').message.title).toBe('This channel has no subscriptions');
    expect(runChatCommand(ctx, 'mute 8h').message.title).toBe('This channel has no subscriptions to mute');
    runChatCommand(ctx, 'subscribe rare-earths magnets');
    runChatCommand(ctx, 'subscribe 稀土 daily');
    const list = runChatCommand(ctx, 'subscriptions');
    expect(list).toMatchObject({ command: 'subscriptions', visibility: 'ephemeral' });
    expect(list.message.sections[0]!.items.map((i) => i.text)).toEqual(['topics magnets, rare-earths', 'keywords "稀土"']);

    const muted = runChatCommand(ctx, 'mute 3d');
    expect(muted).toMatchObject({ command: 'mute', visibility: 'in_channel' });
    expect(muted.message.title).toBe('🔕 Mei Lin muted this channel’s alerts until 2026-12-02 00:00 UTC');
    expect(listSubscriptions(fixture.app.db, { destination: ctx.destination }).every((s) => s.mutedUntil === '2026-12-02T00:00:00.000Z')).toBe(true);
    expect(runChatCommand(ctx, 'mute 2026-12-24').message.title).toContain('until 2026-12-24 00:00 UTC');
    expect(runChatCommand(ctx, 'mute yesterday').message.subtitle).toContain('write the mute end as a duration');
    expect(runChatCommand(ctx, 'mute 2020-01-01').message.subtitle).toContain('in the past');
    expect(runChatCommand(ctx, 'mute off').message.title).toBe('🔔 Mei Lin unmuted this channel’s alerts');
    expect(listSubscriptions(fixture.app.db, { destination: ctx.destination }).every((s) => s.mutedUntil === null)).toBe(true);

    const notTopic = runChatCommand(ctx, 'unsubscribe gallium');
    expect(notTopic.message.title).toBe('"gallium" is not a topic');
    expect(notTopic.visibility).toBe('ephemeral');
    const one = runChatCommand(ctx, 'unsubscribe magnets');
    expect(one).toMatchObject({ command: 'unsubscribe', visibility: 'in_channel' });
    expect(one.message.title).toBe('Mei Lin took magnets out of 1 subscription');
    expect(listSubscriptions(fixture.app.db, { destination: ctx.destination }).map((s) => s.topics)).toEqual([['rare-earths'], []]);
    const all = runChatCommand(ctx, 'unsubscribe');
    expect(all.message.title).toBe('Mei Lin removed 2 subscriptions');
    expect(all.message.subtitle).toBe('This channel has no subscriptions left.');
    expect(runChatCommand(ctx, 'unsubscribe').message.title).toBe('This channel has no subscriptions');
  });
});

describe('digest', () => {
  it('previews the next weekly digest with the week’s change sets', () => {
    const ctx = context();
    runChatCommand(ctx, 'subscribe rare-earths weekly');
    const reply = runChatCommand(ctx, 'digest');
    expect(reply).toMatchObject({ command: 'digest', visibility: 'ephemeral' });
    expect(reply.message.title).toMatch(/^Preview: ExportWatch weekly — /);
    expect(allText(reply.message)).toContain('2026 No.97');
    expect(reply.message.context[0]).toMatch(/^Preview of subscription #\d+ over the last 7 days; sent on mon 09:00 UTC\.$/);
  });

  it('says when the channel has no digest subscription', () => {
    const ctx = context();
    runChatCommand(ctx, 'subscribe magnets');
    expect(runChatCommand(ctx, 'digest').message.title).toBe('This channel has no digest subscription');
  });
});

describe('topics, status and help', () => {
  it('lists the topic ids with their names', () => {
    const reply = runChatCommand(context(), 'topics');
    expect(reply.command).toBe('topics');
    expect(reply.message.sections[0]!.items).toContainEqual({ code: 'rare-earths', text: 'Rare earths', gloss: null, details: [] });
    expect(reply.message.sections.flatMap((s) => s.items)).toHaveLength(fixture.app.topics.list.length);
  });

  it('shows sources’ health and registers’ sizes', () => {
    recordSuccess(fixture.app.db, 'mofcom-news', '2026-11-28T23:00:00.000Z');
    recordFailure(fixture.app.db, 'exportcontrol', '2026-11-28T22:00:00.000Z', 'http-503', 'answered 503', 3);
    const reply = runChatCommand(context(), 'status');
    expect(reply.command).toBe('status');
    expect(reply.message.title).toBe('1 of 2 sources failing');
    expect(reply.message.severity).toBe('high');
    const [sources, registers] = reply.message.sections;
    expect(sources!.items.map((i) => i.code)).toEqual(['❌ exportcontrol', '✅ mofcom-news']);
    expect(registers!.items).toContainEqual(expect.objectContaining({ code: 'technology catalogue', text: '27 entries' }));
    expect(registers!.items).toContainEqual(expect.objectContaining({ code: 'export control list', text: '20 entries' }));
  });

  it('answers help, help <command>, empty and unknown input with help', () => {
    expect(runChatCommand(context(), 'help')).toMatchObject({ command: 'help', visibility: 'ephemeral', message: CHAT_HELP });
    expect(runChatCommand(context(), '').message).toEqual(CHAT_HELP);
    expect(runChatCommand(context(), '\u200b \u3000').message).toEqual(CHAT_HELP);
    const one = runChatCommand(context(), 'help subscribe');
    expect(one.command).toBe('help');
    expect(one.message.title).toBe('Help: subscribe <topics|keywords…> [mode] [lowest severity]');
    const unknown = runChatCommand(context(), 'NdFeB magnet');
    expect(unknown.command).toBe('help');
    expect(unknown.message.title).toBe('ExportWatch did not understand that');
    expect(unknown.message.subtitle).toBe('"NdFeB magnet" is not a command. To look something up, write `check NdFeB magnet`.');
    expect(unknown.message.sections).toEqual(CHAT_HELP.sections);
    expect(CHAT_HELP.sections[0]!.items.map((i) => i.code.split(' ')[0])).toEqual([
      'check',
      'item',
      'recent',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'mute',
      'digest',
      'topics',
      'status',
      'help',
    ]);
  });
});

describe('input bounds', () => {
  it('answers input over the limit with "too long", naming the command when it can', () => {
    const reply = runChatCommand(context(), `check ${'稀土'.repeat(CHAT_MAX_INPUT)}`);
    expect(reply).toMatchObject({ command: 'check', shareable: false });
    expect(reply.message.title).toBe('That command is too long');
    expect(reply.message.subtitle).toBe(`Commands are limited to ${CHAT_MAX_INPUT} characters; this one has 1006 characters.`);
    expect(runChatCommand(context(), 'z'.repeat(1_000_000)).command).toBe('help');
  });

  it('removes control and invisible characters before running a command', () => {
    const reply = runChatCommand(context(), '\u0000ch\u200beck\u202e 05\u20603302\u0007J\u0085');
    expect(reply.message.sections[0]!.items[0]!.code).toBe('🔴 PROHIBITED 053302J');
    expect(reply.message.title).toBe('1 match for "053302J"');
  });

  it('never repeats more than 100 characters of what was typed', () => {
    const long = 'q'.repeat(180);
    for (const text of [
      `check ${long}`,
      `item ${long}`,
      long,
      `help ${long}`,
      `subscribe "${'p'.repeat(55)} ${long}"`,
      `mute ${long}`,
      `recent ${long}`,
      `unsubscribe ${long}`,
    ]) {
      const reply = runChatCommand(context(), text);
      expect(allText(reply.message)).not.toMatch(/[qp]{101}/);
      expect(reply.message.title.length).toBeGreaterThan(0);
    }
  });
});
