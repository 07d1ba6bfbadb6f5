// Entry-level and field-level difference between two states of a register.
// Pure and deterministic: the same inputs always give the same changes, sorted by register, key, kind.
import { SEVERITY_ORDER, type Change, type ChangeKind, type ChangeSummary, type Entry, type FieldChange, type FieldValue, type Severity } from './types.js';
import { severityOf } from './severity.js';

/** How a register recognises one entry under two keys (a move). */
export interface MoveRules {
  /** Keys with the same stem are the same entry (tech catalogue: the six digits without J/X). */
  stemOf?: (key: string) => string;
  /** Entries with equal values of this field are the same entry under a new key. */
  identityField?: string;
}

const RULES: Record<string, MoveRules> = {
  'tech-catalogue': { stemOf: (key) => key.slice(0, 6), identityField: 'name' },
};

export function moveRulesFor(register: string): MoveRules {
  return RULES[register] ?? {};
}

const KIND_ORDER: readonly ChangeKind[] = ['added', 'removed', 'modified', 'moved', 'suspended', 'resumed', 'ended'];

function compareChanges(a: Change, b: Change): number {
  if (a.register !== b.register) return a.register < b.register ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
}

function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return (a ?? null) === (b ?? null);
}

/**
 * Edits that turn list `a` into list `b`: a longest-common-subsequence alignment, with a removal
 * directly followed by an addition at the same place reported as one item change.
 * Indexes: `item-removed` and `item-changed` use the position in `a`, `item-added` the position in `b`.
 */
export function diffList(field: string, a: readonly string[], b: readonly string[]): FieldChange[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  // lcs[i][j] = LCS length of a[start+i..endA) and b[start+j..endB)
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      row[j] = a[start + i] === b[start + j] ? (lcs[i + 1] as number[])[j + 1]! + 1 : Math.max((lcs[i + 1] as number[])[j]!, row[j + 1]!);
    }
  }
  const out: FieldChange[] = [];
  let i = 0;
  let j = 0;
  const removed: number[] = [];
  const added: number[] = [];
  const flush = (): void => {
    const pairs = Math.min(removed.length, added.length);
    for (let k = 0; k < pairs; k++) {
      out.push({ field, kind: 'item-changed', index: removed[k]!, before: a[removed[k]!]!, after: b[added[k]!]! });
    }
    for (const r of removed.slice(pairs)) out.push({ field, kind: 'item-removed', index: r, before: a[r]! });
    for (const ad of added.slice(pairs)) out.push({ field, kind: 'item-added', index: ad, after: b[ad]! });
    removed.length = 0;
    added.length = 0;
  };
  while (i < n || j < m) {
    if (i < n && j < m && a[start + i] === b[start + j]) {
      flush();
      i++;
      j++;
    } else if (j >= m || (i < n && (lcs[i + 1] as number[])[j]! >= (lcs[i] as number[])[j + 1]!)) {
      removed.push(start + i);
      i++;
    } else {
      added.push(start + j);
      j++;
    }
  }
  flush();
  return out;
}

/** Field-level changes from `before` to `after`, fields in alphabetical order. */
export function diffFields(before: Record<string, FieldValue>, after: Record<string, FieldValue>): FieldChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: FieldChange[] = [];
  for (const name of names) {
    const a = before[name] ?? null;
    const b = after[name] ?? null;
    if (sameValue(a, b)) continue;
    if (Array.isArray(a) && Array.isArray(b)) out.push(...diffList(name, a, b));
    else out.push({ field: name, kind: 'set', before: a, after: b });
  }
  return out;
}

function groupKey(register: string, value: string): string {
  return `${register}\u0000${value}`;
}

/** Pairs removed and added entries that are the same entry under another key. */
function pairMoves(removed: Entry[], added: Entry[], keyOf: (e: Entry) => string | null): Array<[Entry, Entry]> {
  const pool = new Map<string, Entry[]>();
  for (const e of added) {
    const k = keyOf(e);
    if (k === null) continue;
    const list = pool.get(groupKey(e.register, k));
    if (list) list.push(e);
    else pool.set(groupKey(e.register, k), [e]);
  }
  const pairs: Array<[Entry, Entry]> = [];
  for (const e of removed) {
    const k = keyOf(e);
    if (k === null) continue;
    const list = pool.get(groupKey(e.register, k));
    const partner = list?.shift();
    if (partner) pairs.push([e, partner]);
  }
  return pairs;
}

function byKey(entries: readonly Entry[]): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const e of entries) {
    const k = groupKey(e.register, e.key);
    if (map.has(k)) throw new Error(`duplicate entry ${e.register}/${e.key} in one state`);
    map.set(k, e);
  }
  return map;
}

function sortedByKey(entries: Entry[]): Entry[] {
  return entries.sort((x, y) => (x.register === y.register ? (x.key < y.key ? -1 : x.key > y.key ? 1 : 0) : x.register < y.register ? -1 : 1));
}

/**
 * Changes that turn state `before` into state `after` (entries of one or more registers).
 * An entry that changed key but kept its stem (053302J → 053302X) or its identity field is one `moved`
 * change, not a removal plus an addition. Cost is linear in the number of entries (plus list edits).
 */
export function diff(before: readonly Entry[], after: readonly Entry[], rulesFor: (register: string) => MoveRules = moveRulesFor): Change[] {
  const old = byKey(before);
  const now = byKey(after);
  const changes: Change[] = [];
  const removed: Entry[] = [];
  const added: Entry[] = [];
  for (const [k, e] of old) {
    const next = now.get(k);
    if (!next) {
      removed.push(e);
      continue;
    }
    const fieldChanges = diffFields(e.fields, next.fields);
    if (fieldChanges.length > 0) {
      changes.push(makeChange('modified', e.register, e.key, e.fields, next.fields, fieldChanges));
    }
  }
  for (const [k, e] of now) if (!old.has(k)) added.push(e);
  sortedByKey(removed);
  sortedByKey(added);

  const moved = new Set<Entry>();
  const recordMoves = (keyOf: (e: Entry) => string | null): void => {
    const freeRemoved = removed.filter((e) => !moved.has(e));
    const freeAdded = added.filter((e) => !moved.has(e));
    for (const [from, to] of pairMoves(freeRemoved, freeAdded, keyOf)) {
      moved.add(from);
      moved.add(to);
      const change = makeChange('moved', to.register, to.key, from.fields, to.fields, diffFields(from.fields, to.fields));
      change.fromKey = from.key;
      changes.push(change);
    }
  };
  recordMoves((e) => rulesFor(e.register).stemOf?.(e.key) ?? null);
  recordMoves((e) => {
    const field = rulesFor(e.register).identityField;
    const value = field ? e.fields[field] : undefined;
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  });

  for (const e of removed) if (!moved.has(e)) changes.push(makeChange('removed', e.register, e.key, e.fields, null, []));
  for (const e of added) if (!moved.has(e)) changes.push(makeChange('added', e.register, e.key, null, e.fields, []));
  return changes.sort(compareChanges);
}

function makeChange(
  kind: ChangeKind,
  register: string,
  key: string,
  before: Record<string, FieldValue> | null,
  after: Record<string, FieldValue> | null,
  fieldChanges: FieldChange[],
): Change {
  const change: Change = { kind, register, key, before, after, fieldChanges, severity: 'info' };
  change.severity = severityOf(change);
  return change;
}

/** Applies field changes to a copy of `fields`; the inverse of `diffFields`. */
export function applyFieldChanges(fields: Record<string, FieldValue>, changes: readonly FieldChange[]): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = { ...fields };
  const listEdits = new Map<string, FieldChange[]>();
  for (const c of changes) {
    if (c.kind === 'set') {
      if (c.after === null) delete out[c.field];
      else out[c.field] = Array.isArray(c.after) ? [...c.after] : c.after;
    } else {
      const list = listEdits.get(c.field);
      if (list) list.push(c);
      else listEdits.set(c.field, [c]);
    }
  }
  for (const [field, edits] of listEdits) {
    const source = out[field];
    const old = Array.isArray(source) ? source : [];
    const removedAt = new Set<number>();
    const changedAt = new Map<number, string>();
    const addedAt = new Map<number, string>();
    for (const e of edits) {
      if (e.kind === 'item-removed') removedAt.add(e.index);
      else if (e.kind === 'item-changed') changedAt.set(e.index, e.after);
      else if (e.kind === 'item-added') addedAt.set(e.index, e.after);
    }
    const kept: string[] = [];
    old.forEach((v, i) => {
      if (!removedAt.has(i)) kept.push(changedAt.get(i) ?? v);
    });
    const result: string[] = [];
    let k = 0;
    const total = kept.length + addedAt.size;
    for (let i = 0; i < total; i++) {
      const inserted = addedAt.get(i);
      if (inserted !== undefined) result.push(inserted);
      else result.push(kept[k++]!);
    }
    out[field] = result;
  }
  return out;
}

/** Applies changes to a state; `applyChanges(before, diff(before, after))` equals `after` up to order. */
export function applyChanges(before: readonly Entry[], changes: readonly Change[]): Entry[] {
  const state = byKey(before);
  for (const c of changes) {
    const k = groupKey(c.register, c.key);
    if (c.kind === 'removed') state.delete(k);
    else if (c.kind === 'added') state.set(k, { register: c.register, key: c.key, fields: { ...(c.after ?? {}) } });
    else if (c.kind === 'moved') {
      const fromKey = groupKey(c.register, c.fromKey ?? c.key);
      const from = state.get(fromKey);
      state.delete(fromKey);
      state.set(k, { register: c.register, key: c.key, fields: applyFieldChanges(from?.fields ?? {}, c.fieldChanges) });
    } else if (c.kind === 'modified' || c.kind === 'suspended' || c.kind === 'resumed' || c.kind === 'ended') {
      const cur = state.get(k);
      if (cur) state.set(k, { ...cur, fields: applyFieldChanges(cur.fields, c.fieldChanges) });
    }
  }
  return sortedByKey([...state.values()]);
}

export function summarise(changes: readonly Change[]): ChangeSummary {
  const s: ChangeSummary = { added: 0, removed: 0, modified: 0, moved: 0 };
  for (const c of changes) if (c.kind in s) s[c.kind as keyof ChangeSummary]++;
  return s;
}

/** Most severe first, then the diff's own order. */
export function bySeverity(changes: readonly Change[]): Change[] {
  const rank = (s: Severity): number => SEVERITY_ORDER.indexOf(s);
  return [...changes].sort((a, b) => rank(a.severity) - rank(b.severity) || compareChanges(a, b));
}
