// The head block of a MOFCOM article page: 【发布单位】, 【发布文号】, 【发文日期】, found by their markers
// wherever they are in the text.

export interface HeadBlock {
  issuer: string | null;
  number: string | null;
  /** YYYY-MM-DD */
  date: string | null;
}

function field(text: string, label: string): string | null {
  const m = new RegExp(`【${label}】[\\s:：]*([^\\n【]{1,120})`).exec(text);
  const value = m?.[1]?.replace(/\s+/g, ' ').trim();
  return value ? value : null;
}

/** A date written `2020年08月28日`, `2020-08-28` or `2020.8.28` as YYYY-MM-DD, or null. */
export function isoDate(text: string): string | null {
  const m = /(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})/.exec(text.normalize('NFKC'));
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

export function readHeadBlock(text: string): HeadBlock {
  const dateText = field(text, '发文日期') ?? field(text, '成文日期');
  return {
    issuer: field(text, '发布单位'),
    number: field(text, '发布文号'),
    date: dateText ? isoDate(dateText) : null,
  };
}
