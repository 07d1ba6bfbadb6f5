// Recording new states of the technology catalogue: a whole document (import) or an adjustment
// notice (apply). Parse → guard → diff → record, with the notice that caused it; nothing is
// written unless the whole change set is.
import { createHash } from 'node:crypto';
import { diff, summarise } from '../domain/diff.js';
import { isoDate, readHeadBlock } from '../domain/head-block.js';
import { noticeKeyFromNumber } from '../domain/notice-key.js';
import { TECH_CATALOGUE, type CatalogueFormat, type Change, type ChangeSummary, type TechEntry, type UnparsedClause } from '../domain/types.js';
import { saveNotice, type NoticeRecord } from '../../storage/notices.js';
import { countCurrent, currentVersions, recordChanges } from '../../storage/registers.js';
import type { App } from '../app.js';
import { applyPatches } from '../registers/tech-catalogue/apply.js';
import { entryToTech, techToEntry } from '../registers/tech-catalogue/entry.js';
import { techCatalogue } from '../registers/tech-catalogue/index.js';
import { noticeText, parseAdjustmentNotice } from '../registers/tech-catalogue/notice.js';
import { parseCatalogue } from '../registers/tech-catalogue/parse.js';

/** A failure the user can fix by changing the input or the options (exit code 1, one clear sentence). */
export class RecordError extends Error {}

export interface RecordResult {
  summary: ChangeSummary;
  changes: Change[];
  unparsed: UnparsedClause[];
  /** Sentences about stated totals that disagree with what was parsed. */
  totalsMismatch: string[];
  flagged: boolean;
  /** The register was empty before this state. */
  baseline: boolean;
  noticeKey: string;
  asOf: string;
  detectedAt: string;
  changeSetId: number;
  notice: NoticeRecord;
}

export interface NoticeMeta {
  key?: string | undefined;
  title?: string | undefined;
  issuer?: string | undefined;
  number?: string | undefined;
  publishedAt?: string | undefined;
  effectiveAt?: string | undefined;
  urls?: readonly string[] | undefined;
}

export interface ImportOptions {
  asOf?: string | undefined;
  notice?: NoticeMeta | undefined;
  format?: CatalogueFormat | undefined;
  /** Record even when the parser reported problems or the document has far fewer entries than the register. */
  force?: boolean | undefined;
}

/** A new whole document with fewer than this share of the register's entries is treated as a broken source. */
export const MIN_SHARE_OF_CURRENT = 0.5;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function validDate(value: string, what: string): string {
  const iso = isoDate(value);
  if (!iso || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim())) throw new RecordError(`${what} must be a date written YYYY-MM-DD, got "${value}"`);
  return iso;
}

function currentTech(app: App): TechEntry[] {
  return currentVersions(app.db, TECH_CATALOGUE).map(entryToTech);
}

function saveMeta(app: App, key: string, meta: NoticeMeta, text: string, status: NoticeRecord['status']): NoticeRecord {
  return saveNotice(app.db, {
    key,
    registerId: TECH_CATALOGUE,
    title: meta.title ?? '',
    issuer: meta.issuer ?? '',
    number: meta.number ?? '',
    publishedAt: meta.publishedAt ?? null,
    effectiveAt: meta.effectiveAt ?? null,
    urls: [...(meta.urls ?? [])],
    textHash: hash(text),
    status,
    recordedAt: app.now().toISOString(),
  });
}

function record(
  app: App,
  before: readonly TechEntry[],
  after: readonly TechEntry[],
  args: { asOf: string; noticeKey: string; source: 'import' | 'apply'; unparsed: UnparsedClause[]; totalsMismatch: string[]; meta: NoticeMeta; text: string },
): RecordResult {
  const changes = diff(before.map(techToEntry), after.map(techToEntry));
  const flagged = args.unparsed.length > 0 || args.totalsMismatch.length > 0;
  const detectedAt = app.now().toISOString();
  const summary = summarise(changes);
  const run = app.db.transaction(() => {
    const notice = saveMeta(
      app,
      args.noticeKey,
      args.meta,
      args.text,
      flagged ? 'flagged' : args.source === 'import' && !args.meta.number ? 'manual' : 'applied',
    );
    const changeSetId = recordChanges(app.db, {
      register: TECH_CATALOGUE,
      changes,
      summary,
      unparsed: [...args.unparsed, ...args.totalsMismatch.map((m) => ({ clause: 'totals', text: m, reason: 'stated totals disagree with parsed clauses' }))],
      asOf: args.asOf,
      noticeKey: args.noticeKey,
      source: args.source,
      detectedAt,
      flagged,
      searchText: (e) => techCatalogue.searchText(e, app.gloss),
    });
    return { notice, changeSetId };
  });
  const { notice, changeSetId } = run.immediate();
  return {
    summary,
    changes,
    unparsed: args.unparsed,
    totalsMismatch: args.totalsMismatch,
    flagged,
    baseline: before.length === 0,
    noticeKey: args.noticeKey,
    asOf: args.asOf,
    detectedAt,
    changeSetId,
    notice,
  };
}

function alreadyApplied(app: App, key: string): void {
  const row = app.db.prepare('SELECT as_of, detected_at FROM change_sets WHERE notice_key = ? LIMIT 1').get(key) as
    { as_of: string; detected_at: string } | undefined;
  if (row) throw new RecordError(`notice ${key} was already recorded (state of ${row.as_of}, detected ${row.detected_at}); nothing was changed`);
}

/** Loads a whole catalogue document as the register's new state and records the changes against the previous one. */
export function importCatalogue(app: App, doc: string, options: ImportOptions = {}): RecordResult {
  const parsed = parseCatalogue(doc, options.format ? { format: options.format } : {});
  const unparsed = parsed.problems.map((p) => ({ clause: p.line > 0 ? `line ${p.line}` : 'document', text: p.text, reason: p.reason }));
  if (unparsed.length > 0 && !options.force) {
    const first = unparsed[0]!;
    throw new RecordError(
      `the document has ${unparsed.length} passage(s) the parser could not place (first: ${first.clause}: ${first.reason}); fix the document or pass --force to record it anyway`,
    );
  }
  const current = countCurrent(app.db, TECH_CATALOGUE);
  if (current > 0 && parsed.entries.length < current * MIN_SHARE_OF_CURRENT && !options.force) {
    throw new RecordError(
      `the document has ${parsed.entries.length} entries but the register holds ${current}; this looks like a broken or partial document (pass --force if it is really the new catalogue)`,
    );
  }
  const head = readHeadBlock(doc);
  const meta: NoticeMeta = { ...options.notice };
  meta.number ??= head.number ?? undefined;
  meta.issuer ??= head.issuer ?? undefined;
  meta.publishedAt ??= head.date ?? undefined;
  const key = meta.key ?? (meta.number ? noticeKeyFromNumber(meta.number) : null) ?? `IMPORT-${hash(doc).slice(0, 12).toUpperCase()}`;
  alreadyApplied(app, key);
  const asOf = options.asOf ? validDate(options.asOf, '--as-of') : (meta.effectiveAt ?? meta.publishedAt ?? app.now().toISOString().slice(0, 10));
  return record(app, currentTech(app), parsed.entries, { asOf, noticeKey: key, source: 'import', unparsed, totalsMismatch: [], meta, text: doc });
}

export interface ApplyOptions {
  asOf?: string | undefined;
  notice?: NoticeMeta | undefined;
}

/** Parses an adjustment notice, applies its patches to the current state and records the changes. */
export function applyNotice(app: App, doc: string, options: ApplyOptions = {}): RecordResult {
  if (countCurrent(app.db, TECH_CATALOGUE) === 0) {
    throw new RecordError('the technology catalogue is empty; import a whole catalogue before applying adjustment notices');
  }
  const text = noticeText(doc);
  const head = readHeadBlock(text);
  const meta: NoticeMeta = { ...options.notice };
  meta.number ??= head.number ?? undefined;
  meta.issuer ??= head.issuer ?? undefined;
  meta.publishedAt ??= head.date ?? undefined;
  const key = meta.key ?? (meta.number ? noticeKeyFromNumber(meta.number) : null) ?? noticeKeyFromNumber(text.slice(0, 2000));
  if (!key)
    throw new RecordError('cannot tell which notice this is (no 【发布文号】 or announcement number found); pass --notice KEY, e.g. --notice MOFCOM-2020-38');
  alreadyApplied(app, key);
  const asOfText = options.asOf ? validDate(options.asOf, '--as-of') : (meta.effectiveAt ?? meta.publishedAt);
  if (!asOfText) throw new RecordError('cannot tell the date of this notice (no 【发文日期】 found); pass --as-of YYYY-MM-DD');
  const parsed = parseAdjustmentNotice(doc);
  if (parsed.patches.length === 0 && parsed.unparsed.length === 0) {
    throw new RecordError('no adjustment clauses were found in this notice; is it an adjustment of the technology catalogue?');
  }
  const before = currentTech(app);
  const applied = applyPatches(before, parsed.patches);
  const unparsed = [...parsed.unparsed, ...applied.errors];
  return record(app, before, applied.entries, {
    asOf: asOfText,
    noticeKey: key,
    source: 'apply',
    unparsed,
    totalsMismatch: parsed.totalsMismatch,
    meta,
    text: doc,
  });
}

export interface DiffResult {
  summary: ChangeSummary;
  changes: Change[];
  unparsed: UnparsedClause[];
}

/** Compares two catalogue documents without touching the store. */
export function diffDocuments(oldDoc: string, newDoc: string, format?: CatalogueFormat): DiffResult {
  const opts = format ? { format } : {};
  const a = parseCatalogue(oldDoc, opts);
  const b = parseCatalogue(newDoc, opts);
  const changes = diff(a.entries.map(techToEntry), b.entries.map(techToEntry));
  const unparsed = [
    ...a.problems.map((p) => ({ clause: `old line ${p.line}`, text: p.text, reason: p.reason })),
    ...b.problems.map((p) => ({ clause: `new line ${p.line}`, text: p.text, reason: p.reason })),
  ];
  return { summary: summarise(changes), changes, unparsed };
}
