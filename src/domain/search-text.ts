// Turning text into search tokens and queries into safe FTS5 expressions.
// Chinese has no spaces: text is indexed as single characters plus overlapping bigrams, so that
// one- and two-character queries (钕, 稀土) match and longer ones match as a phrase of bigrams.

const HAN = /\p{Script=Han}/u;
const RUN = /\p{Script=Han}+|[\p{L}\p{N}]+/gu;

function isHan(s: string): boolean {
  return HAN.test(s);
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length < 2) return [];
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** Space-separated tokens for the index: Latin words (lower case), Han bigrams in order, then Han characters. */
export function searchTokens(text: string): string {
  const latin: string[] = [];
  const pairs: string[] = [];
  const singles: string[] = [];
  for (const m of text.normalize('NFKC').toLowerCase().matchAll(RUN)) {
    const run = m[0];
    if (isHan(run)) {
      pairs.push(...bigrams(run));
      singles.push(...run);
    } else {
      latin.push(run);
    }
  }
  return [...latin, ...pairs, ...singles].join(' ');
}

function quote(token: string): string {
  return `"${token.replaceAll('"', '""')}"`;
}

/** FTS5 expression for one search term (Chinese or English), or null when it has nothing searchable. */
export function termExpression(term: string): string | null {
  const parts: string[] = [];
  for (const m of term.normalize('NFKC').toLowerCase().matchAll(RUN)) {
    const run = m[0];
    if (isHan(run)) {
      const pairs = bigrams(run);
      parts.push(pairs.length === 0 ? quote(run) : quote(pairs.join(' ')));
    } else {
      // Whole words only: prefix queries merge every matching token's list and get slow on large
      // registers; the glossary already folds plurals and spelling variants.
      parts.push(quote(run));
    }
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** An FTS5 MATCH expression matching any of the terms; null when no term is searchable. */
export function matchExpression(terms: readonly string[]): string | null {
  const exprs = [...new Set(terms.map(termExpression).filter((e): e is string => e !== null))];
  if (exprs.length === 0) return null;
  return exprs.join(' OR ');
}

/** An FTS5 expression matching only text that has every one of the terms; null when none is searchable. */
export function allExpression(terms: readonly string[]): string | null {
  const exprs = [...new Set(terms.map(termExpression).filter((e): e is string => e !== null))];
  if (exprs.length === 0) return null;
  return exprs.join(' AND ');
}
