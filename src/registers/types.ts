// What every register module provides, so commands and storage treat registers alike.
import type { Change, Entry, FieldValue, UnparsedClause } from '../domain/types.js';

/** A notice as the pipeline hands it to the registers: already fetched, decoded and reduced to text. */
export interface NoticeDocument {
  /** Issuer + number, e.g. `MOFCOM-2025-18`, `MOFCOM-UEL-2025-9`. */
  key: string;
  title: string;
  /** Body, one paragraph per line. */
  text: string;
  /** 发布文号 as printed. */
  number: string | null;
  issuer: string | null;
  /** YYYY-MM-DD */
  publishedAt: string | null;
  /** YYYY-MM-DD if known. */
  effectiveAt: string | null;
  /** Text of the attachments (HTML, text and PDF already converted). */
  attachmentTexts: string[];
}

/** A register's state after a notice, with what could not be understood and the self-checks that failed. */
export interface RegisterUpdate {
  after: Entry[];
  unparsed: UnparsedClause[];
  /** Self-check failures and doubts, e.g. `title says 20 entities, parsed 19`. */
  flags: string[];
}

export interface RegisterModule {
  id: string;
  /** English name with the Chinese name in brackets. */
  name: string;
  /** What a key of this register looks like (after upper-casing). */
  keyPattern: RegExp;
  /** Status word shown to users (`prohibited`, `restricted`, `listed`, `suspended` …). */
  statusOf(fields: Record<string, FieldValue>): string;
  /** Text an entry is found by in search: its name side and its detail side. */
  searchText(entry: Entry, gloss: (zh: string) => string | null): { name: string; points: string };
  /** The key as stored, from a key typed by a user (`1e902.A` → `1E902.a`). Without it, keys are upper-cased. */
  normaliseKey?(input: string): string;
  /** The register's state after a notice; null when the notice does not concern the register. Pure. */
  fromNotice?(notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null;
  /** A generic change made specific (a status change becomes `suspended`, `resumed` or `ended`). Pure. */
  refineChange?(change: Change): Change;
}
