// Builds the message for one change set (one notice or one imported document) of a register.
import type { Change, FieldChange, FieldValue, Severity } from '../domain/types.js';
import { SEVERITY_ORDER } from '../domain/types.js';
import { bySeverity } from '../domain/diff.js';
import { formatDetected, SEVERITY_MARK, type Message, type MessageItem, type MessageLink, type MessageSection } from './message.js';

export interface NoticeInfo {
  key: string;
  title: string;
  number: string;
  publishedAt: string | null;
  effectiveAt: string | null;
  urls: readonly string[];
}

export interface ChangeMessageInput {
  /** Register of the changes; default the technology catalogue. */
  register?: string;
  changes: readonly Change[];
  notice: NoticeInfo | null;
  detectedAt: string;
  gloss: (zh: string) => string | null;
  unparsedCount?: number;
  /** Most items shown before the rest is summarised as "… and N more". */
  maxItems?: number;
  /** The register was empty before: this is its first state, not news. */
  baseline?: boolean;
}

const SECTION_ORDER: readonly Change['kind'][] = ['added', 'moved', 'modified', 'removed', 'suspended', 'resumed', 'ended'];

const PART_LABEL: Record<string, string> = { prohibited: 'prohibited', restricted: 'restricted' };

/** How each register is named in message titles. */
export const REGISTER_LABEL: Record<string, string> = {
  'tech-catalogue': 'Technology export catalogue',
  'dual-use': 'Dual-use items list (两用物项出口管制清单)',
  'export-control-list': 'Export control list (出口管制管控名单)',
  'watch-list': 'Watch list (关注名单)',
  'unreliable-entity-list': 'Unreliable Entity List (不可靠实体清单)',
  measures: 'Export-control measures',
};

/** The Chinese text that names an entry, whatever its register. */
export function entryName(fields: Record<string, FieldValue> | null): string {
  for (const f of ['name', 'nameZh', 'description', 'title']) {
    const v = fields?.[f];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return '';
}

function str(value: FieldValue | undefined): string {
  if (Array.isArray(value)) return value.join('; ');
  return value ?? '';
}

function partOf(fields: Record<string, FieldValue> | null): string {
  return PART_LABEL[str(fields?.part)] ?? 'unknown part';
}

function fieldLabel(field: string): string {
  return field === 'controlPoints' ? 'control point' : field;
}

export function describeFieldChange(f: FieldChange): string {
  const label = fieldLabel(f.field);
  switch (f.kind) {
    case 'set':
      return `${label}: ${str(f.before) || '(none)'} → ${str(f.after) || '(none)'}`;
    case 'item-added':
      return `+ ${label} ${f.index + 1}: ${f.after}`;
    case 'item-removed':
      return `− ${label} ${f.index + 1}: ${f.before}`;
    case 'item-changed':
      return `~ ${label} ${f.index + 1}: ${f.before} → ${f.after}`;
  }
}

function sectionHeading(c: Change): string {
  if (c.register !== 'tech-catalogue') return c.kind === 'moved' ? 'RENAMED OR RE-KEYED' : c.kind.toUpperCase();
  switch (c.kind) {
    case 'added':
      return `ADDED — ${partOf(c.after)}`;
    case 'modified':
      return `MODIFIED — ${partOf(c.after)}`;
    case 'moved':
      return partOf(c.before) === partOf(c.after) ? `NEW CODE — ${partOf(c.after)}` : `MOVED — ${partOf(c.before)} → ${partOf(c.after)}`;
    case 'removed':
      return 'REMOVED';
    default:
      return c.kind.toUpperCase();
  }
}

function item(c: Change, gloss: (zh: string) => string | null): MessageItem {
  const fields = c.after ?? c.before;
  const name = entryName(fields);
  const code = c.kind === 'moved' ? `${c.fromKey ?? '?'} → ${c.key}` : c.key;
  const english = typeof fields?.nameEn === 'string' && fields.nameEn ? fields.nameEn : null;
  const details =
    c.kind === 'removed'
      ? [c.register === 'tech-catalogue' ? 'no longer listed in the catalogue' : 'no longer listed']
      : c.kind === 'added'
        ? addedDetails(c)
        : c.fieldChanges.filter((f) => f.field !== 'part').map(describeFieldChange);
  return { code, text: name, gloss: english ?? (name ? gloss(name) : null), details };
}

/** Fields worth showing for a new entry, beyond its name. */
const ADDED_DETAIL_FIELDS: readonly string[] = ['address', 'aliases', 'country', 'customsCodes', 'effectiveAt', 'status', 'suspendedUntil'];

function addedDetails(c: Change): string[] {
  const points = c.after?.controlPoints;
  if (Array.isArray(points)) return points.map((p, i) => `control point ${i + 1}: ${p}`);
  const out: string[] = [];
  for (const f of ADDED_DETAIL_FIELDS) {
    const v = c.after?.[f];
    const text = str(v ?? null);
    if (text) out.push(`${f}: ${text}`);
  }
  return out;
}

function countPhrase(register: string, changes: readonly Change[]): string {
  const n = (pred: (c: Change) => boolean): number => changes.filter(pred).length;
  const parts: string[] = [];
  const plural = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  if (register === 'tech-catalogue') {
    const prohibitedAdded = n((c) => c.kind === 'added' && partOf(c.after) === 'prohibited');
    const restrictedAdded = n((c) => c.kind === 'added' && partOf(c.after) !== 'prohibited');
    if (prohibitedAdded) parts.push(`${plural(prohibitedAdded, 'prohibition', 'prohibitions')} added`);
    if (restrictedAdded) parts.push(`${plural(restrictedAdded, 'restriction', 'restrictions')} added`);
  } else {
    const added = n((c) => c.kind === 'added');
    if (added) parts.push(`${plural(added, 'entry', 'entries')} added`);
  }
  for (const kind of ['suspended', 'resumed', 'ended'] as const) {
    const k = n((c) => c.kind === kind);
    if (k) parts.push(`${k} ${kind}`);
  }
  const moved = n((c) => c.kind === 'moved');
  if (moved) parts.push(`${plural(moved, 'item', 'items')} moved or re-coded`);
  const removed = n((c) => c.kind === 'removed');
  if (removed) parts.push(`${plural(removed, 'item', 'items')} removed`);
  const modified = n((c) => c.kind === 'modified');
  if (modified) parts.push(`${modified} modified`);
  return parts.join(', ');
}

function baselinePhrase(register: string, changes: readonly Change[]): string {
  if (register !== 'tech-catalogue') return `${changes.length} entries`;
  const prohibited = changes.filter((c) => partOf(c.after) === 'prohibited').length;
  return `${changes.length} entries (${prohibited} prohibited, ${changes.length - prohibited} restricted)`;
}

function topSeverity(changes: readonly Change[]): Severity {
  let best = SEVERITY_ORDER.length - 1;
  for (const c of changes) best = Math.min(best, SEVERITY_ORDER.indexOf(c.severity));
  return SEVERITY_ORDER[best] ?? 'info';
}

function noticeLine(notice: NoticeInfo): string {
  const parts = [notice.number || notice.key];
  if (notice.publishedAt) parts.push(`published ${notice.publishedAt}`);
  if (notice.effectiveAt) parts.push(notice.effectiveAt === notice.publishedAt ? 'in force on publication' : `in force ${notice.effectiveAt}`);
  return parts.join(' · ');
}

export function buildChangeMessage(input: ChangeMessageInput): Message {
  const { changes, notice } = input;
  const register = input.register ?? 'tech-catalogue';
  const label = REGISTER_LABEL[register] ?? register;
  const maxItems = input.maxItems ?? (input.baseline ? 5 : 12);
  const severity = input.baseline ? 'info' : topSeverity(changes);
  const title =
    changes.length === 0
      ? `${SEVERITY_MARK.info} ${label}: no change`
      : input.baseline
        ? `${SEVERITY_MARK.info} ${label} baseline recorded — ${baselinePhrase(register, changes)}`
        : `${SEVERITY_MARK[severity]} ${label} changed — ${countPhrase(register, changes)}`;
  const sections: MessageSection[] = [];
  const ordered = bySeverity(changes);
  // The most severe changes are shown; their sections read in a fixed order: added, moved, modified, removed.
  const shown = ordered.slice(0, maxItems).sort((a, b) => SECTION_ORDER.indexOf(a.kind) - SECTION_ORDER.indexOf(b.kind));
  for (const c of shown) {
    const heading = sectionHeading(c);
    let section = sections.find((s) => s.heading === heading);
    if (!section) {
      section = { heading, items: [] };
      sections.push(section);
    }
    section.items.push(item(c, input.gloss));
  }
  const links: MessageLink[] = (notice?.urls ?? []).map((url, i) => ({ label: i === 0 ? 'Official text (Chinese)' : 'Also published at', url }));
  const context: string[] = [];
  if (notice) context.push(`Notice ${notice.key}`);
  if (input.unparsedCount) context.push(`⚠️ ${input.unparsedCount} clause(s) could not be read — flagged for review`);
  context.push(`Detected ${formatDetected(input.detectedAt)}`);
  context.push('Glosses are for orientation only, not official translations.');
  return {
    title,
    severity,
    subtitle: notice ? noticeLine(notice) : null,
    links,
    sections,
    omitted: Math.max(0, ordered.length - maxItems),
    context,
  };
}
