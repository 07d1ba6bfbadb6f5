// The chat command grammar shared by Slack and Teams: `<subcommand> [arguments]`, subcommands
// case-insensitive. Pure: no database, no clock. Arguments that need the store (is a word a topic?
// is a duration valid now?) are checked when the command runs.
import { SEVERITY_ORDER, type Severity } from '../../domain/types.js';
import { SUBSCRIPTION_MODES } from '../../alerts/subscriptions.js';
import type { SubscriptionMode } from '../../alerts/types.js';
import { charLength, cleanChatText, echo } from './text.js';

/** Longest command accepted, in characters after cleaning; longer input is answered with "too long". */
export const CHAT_MAX_INPUT = 500;
/** Raw input longer than this is refused without being cleaned at all. */
const MAX_RAW_INPUT = CHAT_MAX_INPUT * 8;

export const CHAT_COMMANDS = ['check', 'item', 'recent', 'subscribe', 'unsubscribe', 'subscriptions', 'mute', 'digest', 'topics', 'status', 'help'] as const;
export type ChatCommandName = (typeof CHAT_COMMANDS)[number];

/** Other words for a subcommand. */
const ALIASES: ReadonlyMap<string, ChatCommandName> = new Map([['lookup', 'check']]);

export const RECENT_DEFAULT_DAYS = 7;
export const RECENT_MAX_DAYS = 90;

/** Words of `subscribe` that mean "no topic or keyword filter". */
const EVERYTHING_WORDS: ReadonlySet<string> = new Set(['everything', 'all']);

/** One word or quoted phrase of `subscribe`; a quoted phrase is always a keyword. */
export interface SubscribeWord {
  text: string;
  quoted: boolean;
}

export type ParsedCommand =
  | { kind: 'check'; alias: 'check' | 'lookup'; query: string }
  | { kind: 'item'; key: string }
  | { kind: 'recent'; days: number }
  | {
      kind: 'subscribe';
      /** Topic-or-keyword words, in order; which are topics is decided against the known topic ids. */
      words: SubscribeWord[];
      /** `everything` (or `all`) was written: no topic or keyword filter. */
      everything: boolean;
      mode: SubscriptionMode | null;
      minSeverity: Severity | null;
    }
  | { kind: 'unsubscribe'; topic: string | null }
  | { kind: 'subscriptions' }
  | { kind: 'mute'; until: string }
  | { kind: 'digest' }
  | { kind: 'topics' }
  | { kind: 'status' }
  /** `help`, `help <subcommand>`, empty input, or input that is no command (`unknown`, bounded). */
  | { kind: 'help'; topic: ChatCommandName | null; unknown: string | null }
  /** A known subcommand with arguments it cannot take; `problem` is meant for the person who typed it. */
  | { kind: 'usage'; command: ChatCommandName; problem: string }
  | { kind: 'too-long'; command: ChatCommandName | null; length: number };

/** The subcommand a word names (aliases included), or null. */
export function commandNamed(word: string): ChatCommandName | null {
  const w = word.toLowerCase();
  if ((CHAT_COMMANDS as readonly string[]).includes(w)) return w as ChatCommandName;
  return ALIASES.get(w) ?? null;
}

const QUOTES = /["“”„‟「」『』]/;

/**
 * Splits arguments into words, keeping quoted phrases (`"rare earth"`, `“rare earth”`, `「稀土 永磁」`) as one;
 * an unclosed quote runs to the end. Unquoted words are also split at commas (`,` `，` `、`).
 */
export function splitWords(text: string): SubscribeWord[] {
  const words: SubscribeWord[] = [];
  let current = '';
  let quoted = false;
  const flush = (): void => {
    const t = current.trim();
    if (quoted) {
      if (t !== '') words.push({ text: t.replace(/\s+/g, ' '), quoted: true });
    } else {
      for (const part of t.split(/[\s,，、]+/)) if (part !== '') words.push({ text: part, quoted: false });
    }
    current = '';
  };
  for (const ch of text) {
    if (QUOTES.test(ch)) {
      flush();
      quoted = !quoted;
    } else if (!quoted && /\s/.test(ch)) {
      flush();
    } else {
      current += ch;
    }
  }
  flush();
  return words;
}

function stripQuotes(text: string): string {
  const m = /^["“„「『](.*)["”‟」』]$/.exec(text);
  return m ? (m[1] ?? '').trim() : text;
}

function parseRecent(args: string): ParsedCommand {
  if (args === '') return { kind: 'recent', days: RECENT_DEFAULT_DAYS };
  const m = /^(\d{1,6})\s*(d|days?)?$/i.exec(args);
  const days = m ? Number(m[1]) : NaN;
  if (!Number.isInteger(days) || days < 1 || days > RECENT_MAX_DAYS) {
    return { kind: 'usage', command: 'recent', problem: `\`recent\` takes a number of days from 1 to ${RECENT_MAX_DAYS}, got "${echo(args, 20)}"` };
  }
  return { kind: 'recent', days };
}

function parseSubscribe(args: string): ParsedCommand {
  const words: SubscribeWord[] = [];
  let everything = false;
  let mode: SubscriptionMode | null = null;
  let minSeverity: Severity | null = null;
  for (const word of splitWords(args)) {
    const lower = word.text.toLowerCase();
    if (!word.quoted && (SUBSCRIPTION_MODES as readonly string[]).includes(lower)) {
      if (mode !== null && mode !== lower) return { kind: 'usage', command: 'subscribe', problem: `two modes given (${mode} and ${lower}); choose one` };
      mode = lower as SubscriptionMode;
    } else if (!word.quoted && (SEVERITY_ORDER as readonly string[]).includes(lower)) {
      if (minSeverity !== null && minSeverity !== lower) {
        return { kind: 'usage', command: 'subscribe', problem: `two lowest severities given (${minSeverity} and ${lower}); choose one` };
      }
      minSeverity = lower as Severity;
    } else if (!word.quoted && EVERYTHING_WORDS.has(lower)) {
      everything = true;
    } else {
      words.push(word);
    }
  }
  if (everything && words.length > 0) {
    return { kind: 'usage', command: 'subscribe', problem: '`everything` cannot be combined with topics or keywords' };
  }
  if (!everything && words.length === 0) {
    return { kind: 'usage', command: 'subscribe', problem: 'name at least one topic or keyword, or `everything`' };
  }
  return { kind: 'subscribe', words, everything, mode, minSeverity };
}

function parseArguments(command: ChatCommandName, alias: string, args: string): ParsedCommand {
  switch (command) {
    case 'check': {
      const query = stripQuotes(args);
      if (query === '') return { kind: 'usage', command, problem: `\`${alias}\` needs something to look for: a code, an English term or a Chinese term` };
      return { kind: 'check', alias: alias === 'lookup' ? 'lookup' : 'check', query };
    }
    case 'item': {
      const key = stripQuotes(args);
      if (key === '') return { kind: 'usage', command, problem: '`item` needs a key, e.g. 053302J, 1E902.a or MOFCOM-2025-61' };
      return { kind: 'item', key };
    }
    case 'recent':
      return parseRecent(args);
    case 'subscribe':
      return parseSubscribe(args);
    case 'unsubscribe': {
      const words = splitWords(args);
      if (words.length > 1) return { kind: 'usage', command, problem: '`unsubscribe` takes at most one topic; without one it removes every subscription here' };
      const topic = words[0]?.text.toLowerCase() ?? null;
      return { kind: 'unsubscribe', topic: topic === null || EVERYTHING_WORDS.has(topic) ? null : topic };
    }
    case 'mute':
      if (args === '') return { kind: 'usage', command, problem: '`mute` needs a duration (8h, 3d, 2w), a date (2026-12-24) or `off`' };
      return { kind: 'mute', until: args };
    case 'help': {
      const first = args.split(' ')[0] ?? '';
      if (first === '') return { kind: 'help', topic: null, unknown: null };
      const topic = commandNamed(first);
      return topic ? { kind: 'help', topic, unknown: null } : { kind: 'help', topic: null, unknown: echo(args) };
    }
    // Commands without arguments ignore any: "digest preview" still previews.
    case 'subscriptions':
    case 'digest':
    case 'topics':
    case 'status':
      return { kind: command };
  }
}

/**
 * Parses one chat command. Input is cleaned first (control, zero-width and bidi characters removed,
 * NFKC so full-width spaces and letters count as ASCII, whitespace collapsed) and bounded to
 * CHAT_MAX_INPUT characters. Never throws: empty or unknown input parses to `help`, bad arguments to
 * `usage`, long input to `too-long`.
 */
export function parseChatCommand(text: string): ParsedCommand {
  const raw = typeof text === 'string' ? text : '';
  if (raw.length > MAX_RAW_INPUT) {
    const head = cleanChatText(raw.slice(0, 40)).split(' ')[0] ?? '';
    return { kind: 'too-long', command: commandNamed(head), length: charLength(raw) };
  }
  const input = cleanChatText(raw);
  const space = input.indexOf(' ');
  const word = space < 0 ? input : input.slice(0, space);
  const args = space < 0 ? '' : input.slice(space + 1);
  const command = commandNamed(word);
  const length = charLength(input);
  if (length > CHAT_MAX_INPUT) return { kind: 'too-long', command, length };
  if (input === '') return { kind: 'help', topic: null, unknown: null };
  if (command === null) return { kind: 'help', topic: null, unknown: echo(input) };
  return parseArguments(command, word.toLowerCase(), args);
}
