// How much a change matters: an entry newly prohibited outranks a control-point edit.
import type { Change, FieldValue, Severity } from './types.js';

function partOf(fields: Record<string, FieldValue> | null): FieldValue | undefined {
  return fields?.part;
}

/**
 * Severity of one change. Ranking, most severe first:
 * critical — something became prohibited (added as, or moved to, prohibited);
 * high — a new restriction, a move towards restricted, or control points added to a prohibited entry;
 * medium — an entry removed (control lifted), control points added or rewritten;
 * low — renames, sector moves, control points removed; info — anything else.
 */
export function severityOf(change: Pick<Change, 'kind' | 'before' | 'after' | 'fieldChanges'>): Severity {
  const part = partOf(change.after);
  switch (change.kind) {
    case 'added':
      return part === 'prohibited' ? 'critical' : 'high';
    case 'moved':
      return part === 'prohibited' && partOf(change.before) !== 'prohibited' ? 'critical' : 'high';
    case 'removed':
      return 'medium';
    case 'suspended':
    case 'resumed':
    case 'ended':
      return 'high';
    case 'modified': {
      const widened = change.fieldChanges.some((f) => f.kind === 'item-added' || f.kind === 'item-changed');
      if (change.fieldChanges.some((f) => f.field === 'part')) return 'critical';
      if (widened) return part === 'prohibited' && change.fieldChanges.some((f) => f.kind === 'item-added') ? 'high' : 'medium';
      return change.fieldChanges.length > 0 ? 'low' : 'info';
    }
  }
}
