// What every register module provides, so commands and storage treat registers alike.
import type { Entry, FieldValue } from '../domain/types.js';

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
}
