// Bounds and cleans user input (CLI arguments now, chat text later) before it reaches any query.

export const MAX_QUERY_LENGTH = 200;

export class UsageError extends Error {}

// Control characters, zero-width and bidirectional-override characters.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Removes control characters, collapses whitespace and bounds the length of a free-text query. */
export function cleanQuery(input: string): string {
  const text = input.normalize('NFC').replace(INVISIBLE, ' ').replace(/\s+/g, ' ').trim();
  if (text === '') throw new UsageError('the query is empty; give a code, an English term or a Chinese term');
  if ([...text].length > MAX_QUERY_LENGTH) throw new UsageError(`the query is longer than ${MAX_QUERY_LENGTH} characters`);
  return text;
}

/** Codes and code prefixes typed in a query: `053302J`, `0533`, `053302 j`. */
export function keysInQuery(query: string): string[] {
  const compact = query.normalize('NFKC').toUpperCase();
  const keys = new Set<string>();
  for (const m of compact.matchAll(/(?<![0-9A-Z])(\d{4,6})\s?([JX])?(?![0-9A-Z])/g)) keys.add(`${m[1]}${m[2] ?? ''}`);
  return [...keys];
}

export function parseDays(input: string | undefined, fallback: number): number {
  if (input === undefined) return fallback;
  const n = Number(input);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new UsageError(`--days must be a whole number from 1 to 3650, got "${input}"`);
  return n;
}

export function parseDate(input: string | undefined, option: string): string | undefined {
  if (input === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== input.trim()) throw new UsageError(`${option} must be a date written YYYY-MM-DD, got "${input}"`);
  return input.trim();
}
