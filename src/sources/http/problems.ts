// Answers that look fine to HTTP but are not usable: the `?` mojibake of the MOFCOM JSON API, wrong
// decoding (U+FFFD floods), JavaScript shell and `wscckey` redirect pages, challenge pages, empty
// bodies and JSON that does not parse. Each is reported as a SourceError, never as "no content".

import { SourceError, type FetchRequest, type FetchResult } from './types.js';

const CJK = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]/gu;
const REPLACEMENT = /\uFFFD/g;

/** Fewer visible characters than this in a page made of script is a shell. */
const SHELL_MAX_VISIBLE = 10;

function count(text: string, pattern: RegExp): number {
  let n = 0;
  pattern.lastIndex = 0;
  while (pattern.exec(text) !== null) n++;
  pattern.lastIndex = 0;
  return n;
}

function countChar(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

function stripTags(html: string): string {
  return html.replace(/<[^<>]*>/g, ' ');
}

/** The visible text of an HTML page: no head, scripts, styles, noscript fallbacks, comments or tags. */
export function visibleText(html: string): string {
  return stripTags(
    html
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<head\b[\s\S]*?<\/head>/gi, ' ')
      .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<(script|style)\b[\s\S]*$/gi, ' '),
  )
    .replace(/&(nbsp|ensp|emsp|thinsp|#160|#xa0);/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function looksLikeHtml(text: string): boolean {
  return /^\s*</.test(text) && /<(html|head|body|script|meta|title|div|p)\b/i.test(text);
}

/** A page that only runs script (or a meta refresh) and shows no text. */
function isScriptShell(html: string): boolean {
  const hasScript = /<script\b/i.test(html);
  const hasRefresh = /<meta\b[^>]*http-equiv\s*=\s*["']?refresh/i.test(html);
  if (!hasScript && !hasRefresh) return false;
  return visibleText(html).replace(/\s/g, '').length < SHELL_MAX_VISIBLE;
}

/**
 * Whether text where Chinese is expected has had its Chinese replaced by '?'. Only text with no CJK
 * at all qualifies; then any of: a title with a run of '??', two or more runs of '??', a run of four or
 * more, or '?' making up a fifth of the '?' + ASCII letters and digits.
 */
function isQuestionMarkMojibake(text: string, titles: readonly string[]): boolean {
  if (count(text, CJK) > 0) return false;
  if (titles.some((title) => /\?{2,}/.test(title))) return true;
  const runs = count(text, /\?{2,}/g);
  if (runs >= 2 || /\?{4,}/.test(text)) return true;
  const questionMarks = countChar(text, '?');
  const alnum = count(text, /[A-Za-z0-9]/g);
  return questionMarks >= 6 && questionMarks >= 0.2 * (questionMarks + alnum);
}

/** Every string value of a parsed JSON document, with the values of title-like keys apart. */
function jsonStrings(value: unknown): { strings: string[]; titles: string[] } {
  const strings: string[] = [];
  const titles: string[] = [];
  const stack: { value: unknown; key: string | null }[] = [{ value, key: null }];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const current = item.value;
    if (typeof current === 'string') {
      const text = /</.test(current) ? stripTags(current) : current;
      strings.push(text);
      if (item.key !== null && /title|name|subject/i.test(item.key)) titles.push(text);
    } else if (Array.isArray(current)) {
      for (const element of current) stack.push({ value: element, key: item.key });
    } else if (current !== null && typeof current === 'object') {
      for (const [key, element] of Object.entries(current)) stack.push({ value: element, key });
    }
  }
  return { strings, titles };
}

function htmlTitles(html: string): string[] {
  const titles: string[] = [];
  for (const match of html.matchAll(/<(title|h1)\b[^>]*>([\s\S]*?)<\/\1\s*>/gi)) titles.push(stripTags(match[2] ?? ''));
  return titles;
}

function looksLikeChallenge(text: string): boolean {
  return /<script\b|captcha|challenge|verify|验证|安全检查|访问/i.test(text);
}

/**
 * Checks a decoded answer for the failure modes of the MOFCOM sites. Returns the SourceError to throw,
 * or null when the answer looks usable. Never throws.
 */
export function detectProblem(result: FetchResult, expect: FetchRequest['expect']): SourceError | null {
  const url = result.url;
  const status = result.status;
  if (result.notModified) return null;
  const text = typeof result.text === 'string' ? result.text : '';

  if (status === 403 || status === 412) {
    const what = looksLikeChallenge(text) ? 'a challenge page' : 'access refused';
    return new SourceError('challenge', `${url}: HTTP ${status}, ${what}`, url, status);
  }
  if (status >= 400) return new SourceError('http-status', `${url}: HTTP ${status}`, url, status);
  if (expect === 'binary') return null;

  if (expect !== undefined && text.trim() === '') return new SourceError('empty', `${url}: empty answer (HTTP ${status}, expected ${expect})`, url, status);

  if (/wscckey/i.test(text)) {
    return new SourceError('js-shell', `${url}: a JavaScript redirect page (wscckey) instead of content`, url, status);
  }

  const replacements = count(text, REPLACEMENT);
  if (replacements >= 4 && replacements * 10 > count(text, CJK)) {
    return new SourceError('mojibake', `${url}: ${replacements} U+FFFD replacement characters (decoded with the wrong charset?)`, url, status);
  }

  if (expect === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      if (looksLikeHtml(text) && isScriptShell(text)) {
        return new SourceError('js-shell', `${url}: a JavaScript shell page with no content instead of JSON`, url, status);
      }
      const start = text.trimStart().slice(0, 40).replace(/\s+/g, ' ');
      return new SourceError('bad-shape', `${url}: expected JSON, got something that does not parse (starts ${JSON.stringify(start)})`, url, status);
    }
    const { strings, titles } = jsonStrings(parsed);
    if (isQuestionMarkMojibake(strings.join('\n'), titles)) {
      return new SourceError('mojibake', `${url}: JSON with '?' in place of Chinese characters (browser-like headers missing?)`, url, status);
    }
    return null;
  }

  if (expect === 'html' || (expect === undefined && looksLikeHtml(text)) || (expect === 'xml' && looksLikeHtml(text))) {
    if (isScriptShell(text)) return new SourceError('js-shell', `${url}: a JavaScript shell page with no text`, url, status);
  }

  if (expect === 'html' && isQuestionMarkMojibake(visibleText(text), htmlTitles(text))) {
    return new SourceError('mojibake', `${url}: a page with '?' in place of Chinese characters`, url, status);
  }

  if (expect === 'xml' && !text.trimStart().startsWith('<')) {
    return new SourceError('bad-shape', `${url}: expected XML, got something else`, url, status);
  }
  return null;
}
