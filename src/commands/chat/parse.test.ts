import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHAT_MAX_INPUT, commandNamed, parseChatCommand, splitWords } from './parse.js';

describe('parseChatCommand', () => {
  it('reads every subcommand, case-insensitively, with lookup as an alias of check', () => {
    expect(parseChatCommand('check NdFeB magnet')).toEqual({ kind: 'check', alias: 'check', query: 'NdFeB magnet' });
    expect(parseChatCommand('LOOKUP 稀土')).toEqual({ kind: 'check', alias: 'lookup', query: '稀土' });
    expect(parseChatCommand('Item 053302j')).toEqual({ kind: 'item', key: '053302j' });
    expect(parseChatCommand('recent')).toEqual({ kind: 'recent', days: 7 });
    expect(parseChatCommand('recent 30')).toEqual({ kind: 'recent', days: 30 });
    expect(parseChatCommand('recent 14d')).toEqual({ kind: 'recent', days: 14 });
    expect(parseChatCommand('unsubscribe')).toEqual({ kind: 'unsubscribe', topic: null });
    expect(parseChatCommand('unsubscribe Rare-Earths')).toEqual({ kind: 'unsubscribe', topic: 'rare-earths' });
    expect(parseChatCommand('unsubscribe all')).toEqual({ kind: 'unsubscribe', topic: null });
    expect(parseChatCommand('subscriptions')).toEqual({ kind: 'subscriptions' });
    expect(parseChatCommand('mute 8h')).toEqual({ kind: 'mute', until: '8h' });
    expect(parseChatCommand('digest')).toEqual({ kind: 'digest' });
    expect(parseChatCommand('digest preview')).toEqual({ kind: 'digest' });
    expect(parseChatCommand('Topics')).toEqual({ kind: 'topics' });
    expect(parseChatCommand('STATUS')).toEqual({ kind: 'status' });
    expect(parseChatCommand('help')).toEqual({ kind: 'help', topic: null, unknown: null });
    expect(parseChatCommand('help LOOKUP')).toEqual({ kind: 'help', topic: 'check', unknown: null });
    expect(parseChatCommand('help mute')).toEqual({ kind: 'help', topic: 'mute', unknown: null });
  });

  it('answers empty and unknown input with help, never with silence', () => {
    expect(parseChatCommand('')).toEqual({ kind: 'help', topic: null, unknown: null });
    expect(parseChatCommand('   \u200b\u3000 ')).toEqual({ kind: 'help', topic: null, unknown: null });
    expect(parseChatCommand('NdFeB magnet')).toEqual({ kind: 'help', topic: null, unknown: 'NdFeB magnet' });
    expect(parseChatCommand('help me please')).toEqual({ kind: 'help', topic: null, unknown: 'me please' });
    expect(commandNamed('checks')).toBeNull();
    for (const word of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(parseChatCommand(`${word} x`)).toEqual({ kind: 'help', topic: null, unknown: `${word} x` });
      expect(parseChatCommand(`help ${word}`)).toEqual({ kind: 'help', topic: null, unknown: word });
    }
  });

  it('cleans input: control, zero-width and bidi characters removed, full-width spaces and letters read as ASCII', () => {
    expect(parseChatCommand('ｃｈｅｃｋ\u3000稀土')).toEqual({ kind: 'check', alias: 'check', query: '稀土' });
    expect(parseChatCommand('ch\u200beck\u0007 053\u202e302J')).toEqual({ kind: 'check', alias: 'check', query: '053302J' });
    expect(parseChatCommand('\ufeffitem\t\n 1E902.a\r\n')).toEqual({ kind: 'item', key: '1E902.a' });
    expect(parseChatCommand('check   "NdFeB   magnet" ')).toEqual({ kind: 'check', alias: 'check', query: 'NdFeB magnet' });
  });

  it('refuses input longer than CHAT_MAX_INPUT characters, counting characters not UTF-16 units', () => {
    expect(parseChatCommand(`check ${'x'.repeat(CHAT_MAX_INPUT)}`)).toEqual({ kind: 'too-long', command: 'check', length: CHAT_MAX_INPUT + 6 });
    expect(parseChatCommand('x'.repeat(100_000))).toMatchObject({ kind: 'too-long', command: null });
    // 494 astral characters are 988 UTF-16 units but only 500 characters with "check "
    expect(parseChatCommand(`check ${'𠀀'.repeat(CHAT_MAX_INPUT - 6)}`)).toMatchObject({ kind: 'check' });
    // invisible padding does not count
    expect(parseChatCommand(`${'\u200b'.repeat(2000)}status`)).toEqual({ kind: 'status' });
  });

  it('gives usage for missing or bad arguments', () => {
    expect(parseChatCommand('check')).toMatchObject({ kind: 'usage', command: 'check' });
    expect(parseChatCommand('lookup ""')).toMatchObject({ kind: 'usage', command: 'check', problem: expect.stringContaining('`lookup` needs') });
    expect(parseChatCommand('item')).toMatchObject({ kind: 'usage', command: 'item' });
    expect(parseChatCommand('recent 0')).toMatchObject({ kind: 'usage', command: 'recent' });
    expect(parseChatCommand('recent 91')).toMatchObject({ kind: 'usage', command: 'recent' });
    expect(parseChatCommand('recent week')).toMatchObject({ kind: 'usage', command: 'recent' });
    expect(parseChatCommand('mute')).toMatchObject({ kind: 'usage', command: 'mute' });
    expect(parseChatCommand('unsubscribe rare-earths magnets')).toMatchObject({ kind: 'usage', command: 'unsubscribe' });
  });
});

describe('subscribe grammar', () => {
  it('separates modes and severities from topic-or-keyword words; quoted phrases stay one keyword', () => {
    expect(parseChatCommand('subscribe rare-earths gallium "rare earth" weekly high')).toEqual({
      kind: 'subscribe',
      words: [
        { text: 'rare-earths', quoted: false },
        { text: 'gallium', quoted: false },
        { text: 'rare earth', quoted: true },
      ],
      everything: false,
      mode: 'weekly',
      minSeverity: 'high',
    });
    expect(parseChatCommand('SUBSCRIBE Magnets IMMEDIATE+WEEKLY Critical')).toMatchObject({ mode: 'immediate+weekly', minSeverity: 'critical' });
    expect(parseChatCommand('subscribe 稀土 镓 daily')).toMatchObject({
      words: [
        { text: '稀土', quoted: false },
        { text: '镓', quoted: false },
      ],
      mode: 'daily',
      minSeverity: null,
    });
  });

  it('reads smart quotes, corner brackets and commas as Slack and Chinese keyboards type them', () => {
    expect(parseChatCommand('subscribe “rare earth” 「稀土 永磁」 gallium,germanium，锑、钨')).toMatchObject({
      words: [
        { text: 'rare earth', quoted: true },
        { text: '稀土 永磁', quoted: true },
        { text: 'gallium', quoted: false },
        { text: 'germanium', quoted: false },
        { text: '锑', quoted: false },
        { text: '钨', quoted: false },
      ],
    });
  });

  it('keeps a quoted mode or severity word as a keyword', () => {
    expect(parseChatCommand('subscribe "daily" "high" info')).toMatchObject({
      words: [
        { text: 'daily', quoted: true },
        { text: 'high', quoted: true },
      ],
      mode: null,
      minSeverity: 'info',
    });
  });

  it('takes `everything` alone, and refuses no interest at all, two modes or two severities', () => {
    expect(parseChatCommand('subscribe everything weekly')).toEqual({ kind: 'subscribe', words: [], everything: true, mode: 'weekly', minSeverity: null });
    expect(parseChatCommand('subscribe')).toMatchObject({ kind: 'usage', command: 'subscribe' });
    expect(parseChatCommand('subscribe weekly high')).toMatchObject({ kind: 'usage', problem: expect.stringContaining('at least one topic') });
    expect(parseChatCommand('subscribe magnets daily weekly')).toMatchObject({ kind: 'usage', problem: expect.stringContaining('two modes') });
    expect(parseChatCommand('subscribe magnets high low')).toMatchObject({ kind: 'usage', problem: expect.stringContaining('two lowest severities') });
    expect(parseChatCommand('subscribe everything magnets')).toMatchObject({ kind: 'usage', problem: expect.stringContaining('cannot be combined') });
  });

  it('runs an unclosed quote to the end of the input', () => {
    expect(splitWords('magnets "rare earth permanent')).toEqual([
      { text: 'magnets', quoted: false },
      { text: 'rare earth permanent', quoted: true },
    ]);
  });
});

describe('parseChatCommand on any input', () => {
  it('never throws and echoes at most 100 characters of what was typed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 700 }), fc.string({ unit: 'grapheme', maxLength: 700 })), (text) => {
        const parsed = parseChatCommand(text);
        if (parsed.kind === 'help' && parsed.unknown !== null) expect([...parsed.unknown].length).toBeLessThanOrEqual(100);
        if (parsed.kind === 'usage') expect(parsed.problem.length).toBeLessThanOrEqual(300);
        expect(parsed.kind).toBeTruthy();
      }),
      { numRuns: 500 },
    );
  });
});
