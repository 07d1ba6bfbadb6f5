// Character-level helpers for reading adjustment notices: a canonical view of a text for
// matching (same length as the original, so positions found in one slice the other) and
// the clean-up applied to names and control points taken from a notice.

const OPEN_QUOTES = new Set(['“', '「', '『', '﹁', '〝']);
const CLOSE_QUOTES = new Set(['”', '」', '』', '﹂', '〞']);

/**
 * Canonical view of `text` for matching, with exactly one UTF-16 unit per input unit:
 * full-width ASCII (digits, letters, `：（），；．＂`) becomes half-width, ideographic and
 * no-break spaces become spaces, and every quote becomes `“` or `”` — straight `"` quotes
 * alternate between opening and closing, so a mix of `“…"` still pairs up. `quoteOpen`
 * says whether a quote is open where `text` starts (for text read piece by piece).
 */
export function canonical(text: string, quoteOpen = false): string {
  const out: string[] = [];
  let open = quoteOpen;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    let ch = text.charAt(i);
    if (unit >= 0xff01 && unit <= 0xff5e) ch = String.fromCharCode(unit - 0xfee0);
    else if (unit === 0x3000 || unit === 0xa0 || (unit >= 0x2000 && unit <= 0x200a)) ch = ' ';
    if (ch === '"') ch = open ? '”' : '“';
    if (OPEN_QUOTES.has(ch)) {
      open = true;
      ch = '“';
    } else if (CLOSE_QUOTES.has(ch)) {
      open = false;
      ch = '”';
    }
    out.push(ch);
  }
  return out.join('');
}

/** Full-width digits to ASCII digits (for clause numbers "as printed, in half-width"). */
export function halfWidthDigits(text: string): string {
  return text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

// Ideographs, CJK punctuation and full-width forms: a space between two of these is a
// layout artefact (a wrapped line, an `&nbsp;`), never part of the text.
const WIDE = '[\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef]';
const SPACE_BETWEEN_WIDE = new RegExp(`(?<=${WIDE})\\s+(?=${WIDE})`, 'gu');

/** Clean-up for a name or control point taken from a notice: collapse whitespace, drop it between CJK characters, trim. */
export function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').replace(SPACE_BETWEEN_WIDE, '').trim();
}

const CHINESE_DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const CHINESE_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };

/** `23`, `２３`, `二十三`, `一百三十四`, `十` → number; undefined when not a number. */
export function parseCount(text: string): number | undefined {
  const ascii = halfWidthDigits(text.trim());
  if (/^\d+$/.test(ascii)) return Number(ascii);
  if (!/^[零〇一二两三四五六七八九十百千]+$/.test(ascii)) return undefined;
  let total = 0;
  let digit: number | undefined;
  for (const ch of ascii) {
    const unit = CHINESE_UNITS[ch];
    if (unit !== undefined) {
      total += (digit ?? 1) * unit;
      digit = undefined;
    } else {
      digit = CHINESE_DIGITS[ch];
    }
  }
  return total + (digit ?? 0);
}
