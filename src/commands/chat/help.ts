// Help for the chat commands: one overview (CHAT_HELP) and one message per subcommand.
import type { Message } from '../../alerts/message.js';
import { CHAT_MAX_INPUT, RECENT_DEFAULT_DAYS, RECENT_MAX_DAYS, type ChatCommandName } from './parse.js';
import { line } from './text.js';

interface CommandHelp {
  usage: string;
  summary: string;
  details: string[];
  /** Command as typed, and what it does. */
  examples: Array<[string, string]>;
}

export const COMMAND_HELP: Readonly<Record<ChatCommandName, CommandHelp>> = {
  check: {
    usage: 'check <query>',
    summary: 'Is it on a list? Searches every register (technology catalogue, dual-use list, entity lists, measures).',
    details: [
      'The query may be a code (053302J, 1E902.a), an English term or a Chinese term; English is expanded through the glossary.',
      'Alias: lookup. Results can be shared in the channel.',
      'No match is not a clearance: the lists are published in Chinese and change often.',
    ],
    examples: [
      ['check NdFeB magnet', 'English, expanded to 钕铁硼 and 磁体'],
      ['check 稀土', 'Chinese'],
      ['lookup 053302J', 'a catalogue code'],
    ],
  },
  item: {
    usage: 'item <key>',
    summary: 'One entry or measure in full, with its versions and the notices that changed it.',
    details: ['Keys: a catalogue code (053302J), a dual-use control code (1E902.a), a measure (MOFCOM-2025-61) or a listed entity’s name.'],
    examples: [
      ['item 053302J', 'a technology of the catalogue'],
      ['item MOFCOM-2025-61', 'a measure (notice)'],
    ],
  },
  recent: {
    usage: 'recent [days]',
    summary: `The latest changes to the lists (default the last ${RECENT_DEFAULT_DAYS} days, at most ${RECENT_MAX_DAYS}).`,
    details: [],
    examples: [
      ['recent', 'the last 7 days'],
      ['recent 30', 'the last 30 days'],
    ],
  },
  subscribe: {
    usage: 'subscribe <topics|keywords…> [mode] [lowest severity]',
    summary: 'Alerts for this channel on topics or keywords.',
    details: [
      'Words that are topic ids (see `topics`) become topics; anything else is a keyword, matched in English and Chinese. Quote phrases: "rare earth".',
      'Mode: immediate (default), daily, weekly or immediate+weekly. Lowest severity: critical, high, medium, low or info (default: everything).',
      '`subscribe everything` subscribes to all changes. Digests are sent Mondays 09:00 UTC (weekly) or 09:00 UTC (daily).',
      'Only members of this channel can change its subscriptions (and, where configured, only admins).',
    ],
    examples: [
      ['subscribe rare-earths magnets', 'two topics, alerts as they happen'],
      ['subscribe gallium "rare earth" weekly high', 'two keywords, a weekly digest of high and critical changes'],
      ['subscribe everything daily', 'every change, once a day'],
    ],
  },
  unsubscribe: {
    usage: 'unsubscribe [topic]',
    summary: 'Removes one topic from this channel’s subscriptions, or without a topic every subscription here.',
    details: ['A subscription whose only topic it was is removed; others keep their remaining topics.'],
    examples: [
      ['unsubscribe rare-earths', 'one topic'],
      ['unsubscribe', 'everything this channel receives'],
    ],
  },
  subscriptions: {
    usage: 'subscriptions',
    summary: 'What this channel is subscribed to: topics, keywords, mode, lowest severity, digest time and any mute.',
    details: [],
    examples: [],
  },
  mute: {
    usage: 'mute <duration|date|off>',
    summary: 'Pauses this channel’s alerts and digests until a time, or resumes them.',
    details: ['Durations: 30m, 8h, 3d, 2w; a date (2026-12-24, from 00:00 UTC); `off` unmutes. At most 366 days.'],
    examples: [
      ['mute 8h', 'for eight hours'],
      ['mute 2026-12-24', 'until 24 December'],
      ['mute off', 'resume now'],
    ],
  },
  digest: {
    usage: 'digest',
    summary: 'Previews this channel’s next digest, over the period it would cover.',
    details: ['Needs a daily, weekly or immediate+weekly subscription.'],
    examples: [],
  },
  topics: { usage: 'topics', summary: 'The topics a subscription can name.', details: [], examples: [] },
  status: { usage: 'status', summary: 'Health of the sources watched and the size of each register.', details: [], examples: [] },
  help: { usage: 'help [command]', summary: 'This help, or one command’s.', details: [], examples: [['help subscribe', 'how to subscribe']] },
};

/** The overview of every command. */
export const CHAT_HELP: Message = Object.freeze({
  title: 'ExportWatch commands',
  severity: 'info',
  subtitle: "China's export-control lists, checked and watched for you.",
  links: [],
  sections: [
    {
      heading: 'Commands',
      items: (Object.keys(COMMAND_HELP) as ChatCommandName[]).map((name) => line(COMMAND_HELP[name].usage, COMMAND_HELP[name].summary)),
    },
  ],
  omitted: 0,
  context: [
    `Commands are case-insensitive, at most ${CHAT_MAX_INPUT} characters. \`help <command>\` explains one.`,
    'Glosses are for orientation only, not official translations.',
  ],
});

/** One command's help, with a problem line on top when the command was used wrongly. */
export function commandHelp(command: ChatCommandName, problem?: string): Message {
  const help = COMMAND_HELP[command];
  const sections = [{ heading: 'Usage', items: [line(help.usage, help.summary, help.details)] }];
  if (help.examples.length > 0) sections.push({ heading: 'Examples', items: help.examples.map(([example, what]) => line(example, what)) });
  return {
    title: problem ? `Usage: ${help.usage}` : `Help: ${help.usage}`,
    severity: 'info',
    subtitle: problem ?? null,
    links: [],
    sections,
    omitted: 0,
    context: ['`help` lists every command.'],
  };
}

/** The overview, with a line saying what was not understood. */
export function helpFor(unknown: string | null): Message {
  if (unknown === null) return CHAT_HELP;
  return {
    ...CHAT_HELP,
    title: 'ExportWatch did not understand that',
    subtitle: `"${unknown}" is not a command. To look something up, write \`check ${unknown}\`.`,
  };
}
