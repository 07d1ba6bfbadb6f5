// Status changes made specific: the generic diff sees a field change; a reader wants to know that a
// measure (or an item or entity it governs) was suspended, resumed or ended.
import { severityOf } from '../../domain/severity.js';
import type { Change, ChangeKind, Entry, FieldValue } from '../../domain/types.js';
import type { LifecycleAction } from './lifecycle.js';

/** Statuses meaning "applies": a measure in force, a controlled item, a listed entity. */
export const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['in-force', 'controlled', 'listed']);
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['stopped', 'repealed']);

function str(value: FieldValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function same(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * `modified` with status active → suspended, or a suspension extended or re-scoped → `suspended`;
 * suspended (or ended) → active → `resumed`; → stopped/repealed → `ended`. Anything else is returned as is.
 */
export function refineStatusChange(change: Change): Change {
  if (change.kind !== 'modified' || !change.before || !change.after) return change;
  const before = str(change.before.status);
  const after = str(change.after.status);
  let kind: ChangeKind | null = null;
  if (after !== null && ENDED_STATUSES.has(after) && after !== before) kind = 'ended';
  else if (after === 'suspended') {
    const rescoped = !same(change.before.suspendedUntil, change.after.suspendedUntil) || !same(change.before.sections, change.after.sections);
    if (before !== 'suspended' || rescoped) kind = 'suspended';
  } else if (after !== null && ACTIVE_STATUSES.has(after) && before !== null && (before === 'suspended' || ENDED_STATUSES.has(before))) kind = 'resumed';
  if (!kind) return change;
  const refined: Change = { ...change, kind };
  refined.severity = severityOf(refined);
  return refined;
}

/**
 * Applies lifecycle actions to the entries a measure governs (dual-use items by `measure`, entities by
 * `listedBy`): a suspension suspends them until its date, a resumption restores `activeStatus`, a stop,
 * repeal or cancellation removes them. Actions on one section (`§2`) only are left to the measures
 * register: which entries a section covers is not known. Returns the keys touched.
 */
export function applyToGoverned(state: Map<string, Entry>, actions: readonly LifecycleAction[], measureField: string, activeStatus: string): string[] {
  const touched: string[] = [];
  for (const action of actions) {
    for (const target of action.targets) {
      if (target.section !== null) continue;
      for (const [key, entry] of [...state]) {
        if (entry.fields[measureField] !== target.key) continue;
        const fields = entry.fields;
        if (action.verb === 'suspend' || action.verb === 'extend') {
          const until = action.until ?? (action.verb === 'extend' ? (str(fields.suspendedUntil) ?? null) : null);
          state.set(key, { ...entry, fields: { ...fields, status: 'suspended', suspendedUntil: until } });
        } else if (action.verb === 'resume') {
          state.set(key, { ...entry, fields: { ...fields, status: activeStatus, suspendedUntil: null } });
        } else {
          state.delete(key);
        }
        touched.push(key);
      }
    }
  }
  return touched;
}
