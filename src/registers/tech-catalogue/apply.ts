// Applies the patches of one adjustment notice to a state of the technology catalogue.
// Control point numbers in a notice refer to the numbering before the notice, however many
// of its clauses touch the same entry; a patch that cannot apply is reported, not guessed.
import type { Part, Patch, TechEntry, UnparsedClause } from '../../domain/types.js';
import { CODE_PATTERN, partOfCode } from './entry.js';

export interface ApplyResult {
  entries: TechEntry[];
  errors: UnparsedClause[];
}

type EntryPatch = Extract<Patch, { op: 'delete-entry' | 'add-entry' }>;
type EditPatch = Exclude<Patch, EntryPatch>;

interface Edits {
  replaced: Map<number, { text: string; clause: string }>;
  deleted: Map<number, string>;
  added: string[];
  rename?: { name: string; clause: string };
}

/** Short description of a patch, used as the `text` of an apply error. */
export function describePatch(patch: Patch): string {
  switch (patch.op) {
    case 'add-entry':
      return `add-entry ${patch.entry.code} ${patch.entry.name}`;
    case 'delete-entry':
      return `delete-entry ${patch.code}`;
    case 'rename-entry':
      return `rename-entry ${patch.code} to ${patch.name}`;
    case 'replace-control-point':
      return `replace-control-point ${patch.code} #${patch.index}`;
    case 'delete-control-point':
      return `delete-control-point ${patch.code} #${patch.index}`;
    case 'add-control-points':
      return `add-control-points ${patch.code} (+${patch.points.length})`;
  }
}

function copy(entry: TechEntry): TechEntry {
  return { ...entry, controlPoints: [...entry.controlPoints] };
}

function isEntryPatch(patch: Patch): patch is EntryPatch {
  return patch.op === 'delete-entry' || patch.op === 'add-entry';
}

function edited(entry: TechEntry, edits: Edits | undefined): TechEntry {
  const out = copy(entry);
  if (!edits) return out;
  for (const [index, { text }] of edits.replaced) out.controlPoints[index - 1] = text;
  for (const index of [...edits.deleted.keys()].sort((a, b) => b - a)) out.controlPoints.splice(index - 1, 1);
  out.controlPoints.push(...edits.added);
  if (edits.rename) out.name = edits.rename.name;
  return out;
}

/**
 * Where a new entry goes: after the last entry of its part and sector, else after the
 * last entry of its part, else first (prohibited, which the catalogue prints first) or
 * last (restricted).
 */
function insertionIndex(list: readonly TechEntry[], part: Part, sector: string): number {
  const lastOf = (match: (e: TechEntry) => boolean): number => {
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (e && match(e)) return i;
    }
    return -1;
  };
  const sameSector = lastOf((e) => e.part === part && e.sector === sector);
  if (sameSector >= 0) return sameSector + 1;
  const samePart = lastOf((e) => e.part === part);
  if (samePart >= 0) return samePart + 1;
  return part === 'prohibited' ? 0 : list.length;
}

/**
 * Applies a notice's patches to a catalogue state without touching the input. Entry
 * deletions and additions go first, in clause order; then, per entry, control point
 * replacements, deletions (highest index first) and additions (appended in clause order),
 * with every index read against the entry as it was before the notice; then renames.
 * Entries keep their order; new entries are inserted after the last entry of the same
 * part and sector (see `insertionIndex`). Patches that cannot apply are returned in
 * `errors` with their clause; the others still apply.
 */
export function applyPatches(entries: readonly TechEntry[], patches: readonly Patch[]): ApplyResult {
  // Errors are reported in the order of the patches, whichever phase finds them.
  const position = new Map<Patch, number>(patches.map((p, i) => [p, i]));
  const found: Array<{ at: number; error: UnparsedClause }> = [];
  const reject = (patch: Patch, reason: string): void => {
    found.push({ at: position.get(patch) ?? 0, error: { clause: patch.clause, text: describePatch(patch), reason } });
  };

  const before = new Map<string, TechEntry>();
  for (const entry of entries) if (!before.has(entry.code)) before.set(entry.code, entry);
  const deletedBy = new Map<string, string>();
  const addedBy = new Map<string, string>();
  const additions: TechEntry[] = [];

  for (const patch of patches.filter(isEntryPatch)) {
    if (patch.op === 'delete-entry') {
      const code = patch.code;
      if (deletedBy.has(code)) reject(patch, `entry ${code} is already deleted by clause ${deletedBy.get(code)}`);
      else if (addedBy.has(code)) reject(patch, `entry ${code} is added by clause ${addedBy.get(code)} of the same notice`);
      else if (!before.has(code)) reject(patch, `no entry ${code} to delete`);
      else deletedBy.set(code, patch.clause);
      continue;
    }
    const { entry } = patch;
    if (!CODE_PATTERN.test(entry.code)) reject(patch, `bad code "${entry.code}"`);
    else if (partOfCode(entry.code) !== entry.part) reject(patch, `code ${entry.code} does not belong to the ${entry.part} part`);
    else if (addedBy.has(entry.code)) reject(patch, `entry ${entry.code} is already added by clause ${addedBy.get(entry.code)}`);
    else if (before.has(entry.code)) reject(patch, `entry ${entry.code} already exists`);
    else {
      addedBy.set(entry.code, patch.clause);
      additions.push(copy(entry));
    }
  }

  const edits = new Map<string, Edits>();
  for (const patch of patches.filter((p): p is EditPatch => !isEntryPatch(p))) {
    const { code } = patch;
    if (deletedBy.has(code)) {
      reject(patch, `entry ${code} is deleted by clause ${deletedBy.get(code)}`);
      continue;
    }
    const base = before.get(code);
    if (!base && !addedBy.has(code)) {
      reject(patch, `no entry ${code}`);
      continue;
    }
    let edit = edits.get(code);
    if (!edit) {
      edit = { replaced: new Map(), deleted: new Map(), added: [] };
      edits.set(code, edit);
    }
    const count = base?.controlPoints.length ?? 0;
    const outOfRange = (index: number): string | undefined =>
      index >= 1 && index <= count
        ? undefined
        : base
          ? `control point ${index} is out of range: ${code} has ${count} control point${count === 1 ? '' : 's'}`
          : `control point ${index} is out of range: ${code} is new in this notice`;
    switch (patch.op) {
      case 'replace-control-point': {
        const problem = outOfRange(patch.index);
        const earlier = edit.replaced.get(patch.index);
        if (problem) reject(patch, problem);
        else if (earlier) reject(patch, `control point ${patch.index} of ${code} is already replaced by clause ${earlier.clause}`);
        else edit.replaced.set(patch.index, { text: patch.text, clause: patch.clause });
        break;
      }
      case 'delete-control-point': {
        const problem = outOfRange(patch.index);
        const earlier = edit.deleted.get(patch.index);
        if (problem) reject(patch, problem);
        else if (earlier !== undefined) reject(patch, `control point ${patch.index} of ${code} is already deleted by clause ${earlier}`);
        else edit.deleted.set(patch.index, patch.clause);
        break;
      }
      case 'add-control-points':
        edit.added.push(...patch.points);
        break;
      case 'rename-entry':
        if (edit.rename) reject(patch, `entry ${code} is already renamed by clause ${edit.rename.clause}`);
        else edit.rename = { name: patch.name, clause: patch.clause };
        break;
    }
  }

  const result = entries.filter((e) => !deletedBy.has(e.code)).map((e) => edited(e, edits.get(e.code)));
  for (const entry of additions) {
    result.splice(insertionIndex(result, entry.part, entry.sector), 0, edited(entry, edits.get(entry.code)));
  }
  const errors = found.sort((a, b) => a.at - b.at).map((f) => f.error);
  return { entries: result, errors };
}
