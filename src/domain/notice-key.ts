// Keys for notices: issuer + number (`MOFCOM-2025-28`, `MOFCOM-UEL-2025-9`), never the URL,
// so that the same notice seen under several addresses is one notice.

const CN_DIGITS: Record<string, string> = { 〇: '0', 零: '0', 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** Converts Chinese digit-by-digit years (二〇二五) and small numerals (十二, 二十一) to Arabic digits. */
export function chineseNumber(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  if (/^[〇零一二三四五六七八九]+$/.test(text) && text.length > 1) {
    return Number([...text].map((c) => CN_DIGITS[c]).join(''));
  }
  const m = /^([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)$/.exec(text);
  if (!m || text === '') return null;
  const [, tens, ten, ones] = m;
  if (!ten) return ones || tens ? Number(CN_DIGITS[(tens || ones)!]) : null;
  return (tens ? Number(CN_DIGITS[tens]) : 1) * 10 + (ones ? Number(CN_DIGITS[ones]) : 0);
}

function clean(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/&(?:nbsp|ensp|emsp);/g, ' ')
    .replace(/\s+/g, '');
}

const NUMERAL = '[0-9〇零一二三四五六七八九十]+';

/**
 * The key of a notice from its number as printed, or null when the text carries no recognisable number.
 * `商务部 科技部公告2020年第38号` → `MOFCOM-2020-38`; `不可靠实体清单工作机制〔2025〕9号` → `MOFCOM-UEL-2025-9`;
 * `商务部令二〇二五年第6号` → `MOFCOM-ORDER-2025-6`.
 */
export function noticeKeyFromNumber(text: string): string | null {
  const t = clean(text);
  const uel = new RegExp(`不可靠实体清单工作机制(?:公告)?[〔\\[(]?(${NUMERAL})[〕\\])年]?第?(${NUMERAL})号`).exec(t);
  if (uel) return key('MOFCOM-UEL', uel[1]!, uel[2]!);
  const order = new RegExp(`商务部(?:[^令公告]{0,12})?令(${NUMERAL})年第(${NUMERAL})号`).exec(t);
  if (order) return key('MOFCOM-ORDER', order[1]!, order[2]!);
  const announcement = new RegExp(`商务部[^公]{0,20}公告(${NUMERAL})年第(${NUMERAL})号`).exec(t);
  if (announcement) return key('MOFCOM', announcement[1]!, announcement[2]!);
  return null;
}

function key(prefix: string, year: string, number: string): string | null {
  const y = chineseNumber(year);
  const n = chineseNumber(number);
  if (y === null || n === null || y < 1990 || y > 2200 || n < 1) return null;
  return `${prefix}-${y}-${n}`;
}

/** A notice key typed by a user: `MOFCOM-2020-38`, `mofcom-uel-2025-9`. */
export const NOTICE_KEY_PATTERN = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{4}-\d+$/;

export function normaliseNoticeKey(input: string): string | null {
  const upper = input.trim().toUpperCase();
  return NOTICE_KEY_PATTERN.test(upper) && upper.length <= 64 ? upper : null;
}
