// `item <key>`: one entry or measure in full — its fields now, its versions and the notices that made them.
import { describeFieldChange } from '../../alerts/change-message.js';
import type { Message, MessageItem, MessageLink } from '../../alerts/message.js';
import type { FieldValue } from '../../domain/types.js';
import type { App } from '../../app.js';
import { getNotices } from '../../../storage/notices.js';
import { UsageError } from '../input.js';
import { history, item, NotFoundError, type HistoryEntry, type ItemVersion } from '../item.js';
import { entryText, registerShort, statusBadge } from './badges.js';
import { cappedSection, echo, line } from './text.js';

const MAX_CHANGE_DETAILS = 4;
const MAX_LINKS = 3;

/** Fields in the order a reader wants them; the ones named here first, any others after. */
const FIELD_ORDER = [
  'part',
  'sector',
  'description',
  'customsCodes',
  'measure',
  'aliases',
  'address',
  'postcode',
  'country',
  'listedBy',
  'number',
  'kind',
  'publishedAt',
  'effectiveAt',
  'status',
  'suspendedUntil',
  'sections',
  'lastActionBy',
];
/** Fields shown elsewhere: as the name, the English, or as one item per control point. */
const SHOWN_ELSEWHERE = new Set(['name', 'nameZh', 'nameEn', 'title', 'controlPoints']);

function valueText(value: FieldValue | undefined): string {
  if (Array.isArray(value)) return value.join('; ');
  return value ?? '';
}

/** Every field worth showing, one item each (one per control point); the name is shown once, not again as its field. */
function fieldItems(fields: Record<string, FieldValue>, name: string): MessageItem[] {
  const names = [...FIELD_ORDER.filter((f) => f in fields), ...Object.keys(fields).filter((f) => !FIELD_ORDER.includes(f))];
  const items: MessageItem[] = [];
  const points = fields.controlPoints;
  if (Array.isArray(points)) points.forEach((p, i) => items.push(line(`control point ${i + 1}`, p)));
  for (const field of names) {
    if (SHOWN_ELSEWHERE.has(field)) continue;
    const text = valueText(fields[field]);
    if (text.trim() !== '' && text !== name) items.push(line(field, text));
  }
  return items;
}

function changeItem(change: HistoryEntry): MessageItem {
  const described = change.fieldChanges.map(describeFieldChange);
  const details = described.slice(0, MAX_CHANGE_DETAILS);
  if (described.length > details.length) details.push(`… and ${described.length - details.length} more edits`);
  if (change.kind === 'moved' && change.fromKey) details.unshift(`${change.fromKey} → ${change.key}`);
  const notice = change.noticeKey ? change.noticeTitle || change.noticeNumber || change.noticeKey : 'imported without a notice';
  return line(`${change.validFrom} ${change.kind.toUpperCase()}`, notice, details);
}

function versionItem(register: string, v: ItemVersion): MessageItem {
  const badge = statusBadge(register, v.status);
  const details: string[] = [];
  if (v.createdByNotice) details.push(`from ${v.createdByNotice}`);
  if (v.endedByNotice) details.push(`ended by ${v.endedByNotice}`);
  if (v.suspendedUntil) details.push(`suspended until ${v.suspendedUntil}`);
  return line(`${v.validFrom} → ${v.validTo ?? 'now'}`, `${badge.mark} ${badge.word}`, details);
}

function links(app: App, current: ItemVersion | null, changes: readonly HistoryEntry[]): MessageLink[] {
  const keys = [current?.createdByNotice ?? null, ...[...changes].reverse().map((c) => c.noticeKey)].filter((k): k is string => k !== null);
  const unique = [...new Set(keys)];
  const notices = getNotices(app.db, unique);
  const out: MessageLink[] = [];
  for (const key of unique) {
    const url = notices.get(key)?.urls[0];
    if (url && out.length < MAX_LINKS) out.push({ label: out.length === 0 ? 'Official text (Chinese)' : `Official text of ${key}`, url });
  }
  return out;
}

function notFound(key: string, reason: string): Message {
  return {
    title: `Nothing is recorded under "${echo(key, 60)}"`,
    severity: 'info',
    subtitle: reason,
    links: [],
    sections: [],
    omitted: 0,
    context: [`To search by name or term, write \`check ${echo(key, 60)}\`.`],
  };
}

export function itemReply(app: App, key: string): Message {
  let answer: ReturnType<typeof item>;
  try {
    answer = item(app, key);
  } catch (err) {
    if (err instanceof UsageError)
      return notFound(key, 'That is not a key of any register. Keys look like 053302J, 1E902.a, MOFCOM-2025-61, or a listed entity’s name.');
    if (err instanceof NotFoundError) return notFound(key, 'No register has ever had an entry with that key.');
    throw err;
  }
  let changes: HistoryEntry[] = [];
  try {
    changes = history(app, key).changes;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const { register, current } = answer;
  const latest = current ?? answer.history.at(-1) ?? null;
  const fields = latest?.fields ?? {};
  const { name, english } = entryText(fields, app.gloss);
  const badge = statusBadge(register, latest?.status ?? '');
  const title = current ? `${badge.mark} ${badge.word} ${answer.key} ${name}` : `${answer.key} ${name} — no longer listed`;
  const subtitle = current
    ? `${registerShort(register)} · this version since ${current.validFrom}${current.suspendedUntil ? ` · suspended until ${current.suspendedUntil}` : ''}`
    : `${registerShort(register)} · ended ${latest?.validTo ?? '?'}${latest?.endedByNotice ? ` by ${latest.endedByNotice}` : ''}`;
  const entry = cappedSection(current ? 'Now' : 'Last listed as', [line(answer.key, name, [], english), ...fieldItems(fields, name)], 15, 'more fields');
  const versions = [...answer.history].reverse().map((v) => versionItem(register, v));
  const sections = [entry, cappedSection('Versions (newest first)', versions, 15, 'earlier versions')];
  if (changes.length > 0) sections.push(cappedSection('Changes (newest first)', [...changes].reverse().map(changeItem), 15, 'earlier changes'));
  return {
    title,
    severity: current ? badge.severity : 'info',
    subtitle,
    links: links(app, current, changes),
    sections,
    omitted: 0,
    context: ['Glosses are for orientation only, not official translations.'],
  };
}
