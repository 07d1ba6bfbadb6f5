// How a register's entries are labelled in chat replies: a short register name, a status badge
// (mark, word, severity) per register and status, and the name and English of an entry's fields.
import { entryName } from '../../alerts/change-message.js';
import { SEVERITY_MARK } from '../../alerts/message.js';
import type { FieldValue, Severity } from '../../domain/types.js';

export const REGISTER_SHORT: Readonly<Record<string, string>> = {
  'tech-catalogue': 'technology catalogue',
  'dual-use': 'dual-use list',
  'export-control-list': 'export control list',
  'watch-list': 'watch list',
  'unreliable-entity-list': 'Unreliable Entity List',
  measures: 'measures',
};

export function registerShort(register: string): string {
  return REGISTER_SHORT[register] ?? register;
}

export interface Badge {
  mark: string;
  word: string;
  severity: Severity;
}

const ENTITY_LISTS = new Set(['export-control-list', 'watch-list', 'unreliable-entity-list']);

/**
 * The badge of an entry: 🔴 PROHIBITED / 🟠 RESTRICTED in the technology catalogue, 🟠 LICENCE for a
 * dual-use item (export needs a licence; a suspension is shown beside it), ⚠️ LISTED for an entity, and a
 * measure's own status. A status no register defines is shown as it is.
 */
export function statusBadge(register: string, status: string): Badge {
  if (register === 'tech-catalogue') {
    return status === 'prohibited'
      ? { mark: SEVERITY_MARK.critical, word: 'PROHIBITED', severity: 'critical' }
      : { mark: SEVERITY_MARK.high, word: 'RESTRICTED', severity: 'high' };
  }
  if (register === 'dual-use') return { mark: SEVERITY_MARK.high, word: 'LICENCE', severity: 'high' };
  if (ENTITY_LISTS.has(register)) return { mark: '⚠️', word: 'LISTED', severity: 'high' };
  switch (status) {
    case 'in-force':
      return { mark: SEVERITY_MARK.medium, word: 'IN FORCE', severity: 'medium' };
    case 'suspended':
      return { mark: '⏸️', word: 'SUSPENDED', severity: 'low' };
    case 'stopped':
    case 'repealed':
      return { mark: SEVERITY_MARK.info, word: status.toUpperCase(), severity: 'info' };
    default:
      return { mark: SEVERITY_MARK.info, word: status.toUpperCase().slice(0, 30), severity: 'info' };
  }
}

function str(value: FieldValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** An entry's Chinese name (or a measure's title) and its English: the entity's own English name, else the glossary's gloss. */
export function entryText(fields: Record<string, FieldValue>, gloss: (zh: string) => string | null): { name: string; english: string | null } {
  const name = entryName(fields);
  const english = str(fields.nameEn);
  if (name === '') return { name: english ?? '', english: null };
  return { name, english: english ?? gloss(name) };
}

/** The date a suspension ends, when the entry is suspended. */
export function suspendedUntil(fields: Record<string, FieldValue>): string | null {
  return str(fields.suspendedUntil);
}
