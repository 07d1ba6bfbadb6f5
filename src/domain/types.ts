// The domain's vocabulary: registers, entries, notices, patches and changes.
// Pure types only; every other module speaks in these words.

/** Identifier of a register (a list whose state ExportWatch keeps). */
export type RegisterId = 'tech-catalogue' | (string & {});

export const TECH_CATALOGUE: RegisterId = 'tech-catalogue';

/** Part of the technology catalogue an entry sits in. */
export type Part = 'prohibited' | 'restricted';

/** One technology of the Catalogue of Technologies Prohibited and Restricted from Export. */
export interface TechEntry {
  /** Six digits plus J (prohibited) or X (restricted), e.g. `053302J`. */
  code: string;
  part: Part;
  /** Industry sector heading as printed, e.g. `有色金属冶炼和压延加工业`. */
  sector: string;
  /** Technology name (技术名称) as printed. */
  name: string;
  /** Control points (控制要点) in order, without their leading numbers. */
  controlPoints: string[];
}

/** A field value of a register entry: text, ordered list of texts, or absent. */
export type FieldValue = string | string[] | null;

/** A register entry in generic form: the diff, the store and the renderers work on this. */
export interface Entry {
  register: RegisterId;
  key: string;
  fields: Record<string, FieldValue>;
}

/** Where a parser could not place something in a document. */
export interface ParseProblem {
  /** 1-based line of the (normalised) input; 0 when not line-based. */
  line: number;
  text: string;
  reason: string;
}

export type CatalogueFormat = 'text' | 'html' | 'json';

export interface CatalogueParseResult {
  format: CatalogueFormat;
  entries: TechEntry[];
  problems: ParseProblem[];
}

/** One edit an adjustment notice makes to the technology catalogue. `clause` is the clause number as printed. */
export type Patch =
  | { op: 'delete-entry'; clause: string; code: string; name?: string }
  | { op: 'replace-control-point'; clause: string; code: string; index: number; text: string }
  | { op: 'delete-control-point'; clause: string; code: string; index: number }
  | { op: 'add-control-points'; clause: string; code: string; points: string[] }
  | { op: 'rename-entry'; clause: string; code: string; name: string }
  | { op: 'add-entry'; clause: string; entry: TechEntry };

/** A clause of a notice that did not become a patch; kept so nothing is silently lost. */
export interface UnparsedClause {
  clause: string;
  text: string;
  reason: string;
}

/** Totals a notice states about itself (`删除技术条目9项…新增23项…修改21项`). */
export interface StatedTotals {
  deleted?: number;
  added?: number;
  modified?: number;
}

export interface NoticeParseResult {
  patches: Patch[];
  unparsed: UnparsedClause[];
  stated: StatedTotals;
  /** Human-readable disagreements between stated totals and parsed patches. */
  totalsMismatch: string[];
}

export type ChangeKind = 'added' | 'removed' | 'modified' | 'moved' | 'suspended' | 'resumed' | 'ended';

/** How much a change matters to a compliance reader; ordered from most to least. */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** A change to one field of an entry. List fields report item edits with 0-based indexes. */
export type FieldChange =
  | { field: string; kind: 'set'; before: FieldValue; after: FieldValue }
  | { field: string; kind: 'item-added'; index: number; after: string }
  | { field: string; kind: 'item-removed'; index: number; before: string }
  | { field: string; kind: 'item-changed'; index: number; before: string; after: string };

/** What happened to one entry between two states of a register. */
export interface Change {
  kind: ChangeKind;
  register: RegisterId;
  /** Key after the change (for `removed`, the key that was removed). */
  key: string;
  /** For `moved`: the key before the move. */
  fromKey?: string;
  before: Record<string, FieldValue> | null;
  after: Record<string, FieldValue> | null;
  fieldChanges: FieldChange[];
  severity: Severity;
}

export interface ChangeSummary {
  added: number;
  removed: number;
  modified: number;
  moved: number;
}
