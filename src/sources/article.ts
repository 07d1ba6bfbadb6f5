// Article pages read into title, body text, attachments and head block.
//
// - Body text: the article's content container when the page has a known one (`#zoom`, `.art-con`,
//   `.TRS_Editor`, …), else the whole body without navigation, headers, footers and link-dense lines
//   (menus, breadcrumbs). Block elements (<p>, <div>, <li>, <tr>, headings) and <br> end lines; table
//   cells are separated by a space; NBSP, en/em and ideographic spaces become plain spaces (also
//   entities left double-escaped, `&amp;nbsp;`). Scripts, styles and <nav> never count.
// - Head block: `【发布单位】` `【发布文号】` `【发文日期】` found by their markers anywhere in the page
//   text (readHeadBlock), not by CSS class — they may sit above the title, in a table, or at the end.
// - Title: meta ArticleTitle, else the page's title element (`.art-title`, h1 …), else <title> without
//   the site suffix (`_商务部网站`), else the head block's number.
// - publishedAt: the head block's date, else a publication meta (PubDate, publishdate …), else a
//   `发布时间：2025-10-09` near the top of the page, else null.
// - Attachments: links to .pdf/.doc(x)/.xls(x)/.txt/.wps/.ofd/.zip/.rar/.csv files, and to any file under
//   `/upload/`, as absolute URLs (a <base href> is honoured) named by their link text.
// Never throws: truncated or garbage HTML yields whatever could be read.

import * as cheerio from 'cheerio';
import type { CheerioAPI, contains } from 'cheerio';
import { isoDate, readHeadBlock } from '../domain/head-block.js';
import type { Article, Attachment } from './types.js';

type AnyNode = Parameters<typeof contains>[0];

/** The parts of a domhandler node this reader uses. */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
}

const SKIP = new Set(['head', 'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'select', 'textarea', 'nav', 'button']);
const BLOCK = new Set([
  'p',
  'div',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'tr',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'caption',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'aside',
  'blockquote',
  'pre',
  'center',
  'form',
  'fieldset',
  'address',
  'figure',
  'figcaption',
  'hr',
  'html',
  'body',
]);
const CELL = new Set(['td', 'th']);

const CONTENT_SELECTORS = [
  '#zoom',
  '.art-con',
  '.art_con',
  '.artCon',
  '.article-con',
  '.article-content',
  '.article_content',
  '.TRS_Editor',
  '.TRS_UEDITOR',
  '.detail-content',
  '.detail_con',
  '.con_txt',
  '#article-content',
  '#content',
  'article',
];
const TITLE_SELECTORS = ['.art-title', '.art_title', '.artTitle', '.article-title', '.article_title', '.detail-title', '.con_title', '#title', 'h1'];
const BOILERPLATE =
  /^(?:nav|navbar|navigation|menu|mainnav|topnav|subnav|breadcrumbs?|crumbs?|location|position|footer|foot|bottom|copyright|share|sidebar|side|header|top|topbar|toolbar)$/i;
const PUBLICATION_METAS = [
  'pubdate',
  'publishdate',
  'publishtime',
  'firstpublishedtime',
  'lastmodifiedtime',
  'article:published_time',
  'dc.date',
  'dcterms.created',
];

const ATTACHMENT_EXT = /\.(?:pdf|docx?|xlsx?|txt|wps|et|ofd|zip|rar|7z|csv)$/i;
const UPLOAD_EXT = /\.(?:s?html?|pdf|docx?|xlsx?|txt|wps|et|ofd|zip|rar|7z|csv|jpe?g|png)$/i;

// Sentinels (private-use characters) marking link text in the walked text, for link density; stripped from input text first.
const LINK_OPEN = '\ue000';
const LINK_CLOSE = '\ue001';
const SENTINELS = /[\ue000\ue001]/g;

/** Spaces of every kind (NBSP, en/em, ideographic, zero-width) and entities left double-escaped, as one space. */
function tidy(line: string): string {
  return line
    .replace(/&(?:nbsp|ensp|emsp|thinsp|#160|#xa0|#8194|#8195|#12288);?/gi, ' ')
    .replace(/[\s\u00a0\u2000-\u200b\u3000\ufeff]+/g, ' ')
    .trim();
}

/** The text of a subtree, one line per block; link text between sentinels when `markLinks`. */
function walk(root: DomNode, markLinks: boolean): string {
  const out: string[] = [];
  const stack: Array<DomNode | string> = [root];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if (item.type === 'text') {
      out.push((item.data ?? '').replace(SENTINELS, '').replace(/[\t\n\r\f ]+/g, ' '));
      continue;
    }
    if (item.type !== 'tag' && item.type !== 'root') continue; // comments, directives, script/style nodes
    const name = (item.name ?? '').toLowerCase();
    if (SKIP.has(name)) continue;
    if (name === 'br') {
      out.push('\n');
      continue;
    }
    const before = BLOCK.has(name) ? '\n' : CELL.has(name) ? ' ' : markLinks && name === 'a' ? LINK_OPEN : '';
    const after = BLOCK.has(name) ? '\n' : CELL.has(name) ? ' ' : markLinks && name === 'a' ? LINK_CLOSE : '';
    out.push(before);
    if (after) stack.push(after);
    const children = item.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out.join('');
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map(tidy)
    .filter((l) => l.replace(SENTINELS, '').trim() !== '');
}

/** Drops lines that are mostly link text (menus, breadcrumbs, "related articles"). */
function withoutLinkDenseLines(marked: string[]): string[] {
  const out: string[] = [];
  for (const line of marked) {
    let linkChars = 0;
    let inLink = false;
    let total = 0;
    for (const ch of line) {
      if (ch === LINK_OPEN) inLink = true;
      else if (ch === LINK_CLOSE) inLink = false;
      else if (ch !== ' ') {
        total++;
        if (inLink) linkChars++;
      }
    }
    const plain = tidy(line.replace(SENTINELS, ''));
    if (total > 0 && linkChars / total >= 0.6 && !ATTACHMENT_HINT.test(plain)) continue;
    if (plain) out.push(plain);
  }
  return out;
}

const ATTACHMENT_HINT = /附件|\.(?:pdf|docx?|xlsx?|wps|ofd)\b/i;

function tokens(el: DomNode): string[] {
  const a = el.attribs ?? {};
  return `${a.class ?? ''} ${a.id ?? ''}`.split(/[\s]+/).filter(Boolean);
}

function stripSiteSuffix(title: string, column: string | null): string {
  const parts = title.split(/\s*(?:_|\||｜|\s-\s|\s—\s|\s–\s)\s*/).filter(Boolean);
  while (parts.length > 1) {
    const last = parts.at(-1)!;
    if (/网站|信息网|门户|商务部$|mofcom|gov\.cn|首页/i.test(last) || (column && last === column)) parts.pop();
    else break;
  }
  return parts.join('_');
}

function resolve(href: string | undefined, base: string): string | null {
  const h = (href ?? '').trim();
  if (!h || h.startsWith('#') || /^(?:javascript|mailto|tel|data):/i.test(h)) return null;
  try {
    const u = /^[a-z][a-z0-9+.-]*:/i.test(h) ? new URL(h) : new URL(h, base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

function fileName(url: string): string {
  const path = new URL(url).pathname;
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function attachmentsOf($: CheerioAPI, base: string): Attachment[] {
  const out = new Map<string, Attachment>();
  $('a[href]').each((_, el) => {
    const a = $(el);
    const url = resolve(a.attr('href'), base);
    if (!url || out.has(url)) return;
    const path = new URL(url).pathname;
    const isAttachment = ATTACHMENT_EXT.test(path) || (/\/upload\//i.test(path) && UPLOAD_EXT.test(path));
    if (!isAttachment) return;
    const name = tidy(a.text()) || tidy(a.attr('title') ?? '') || fileName(url);
    out.set(url, { url, name: name.slice(0, 300) });
  });
  return [...out.values()];
}

function metaContent($: CheerioAPI, names: readonly string[]): string | null {
  const metas = new Map<string, string>();
  $('meta').each((_, el) => {
    const m = $(el);
    const key = (m.attr('name') ?? m.attr('property') ?? m.attr('itemprop') ?? '').toLowerCase();
    const content = m.attr('content');
    if (key && content && !metas.has(key)) metas.set(key, content);
  });
  for (const n of names) {
    const v = metas.get(n.toLowerCase());
    if (v && tidy(v)) return tidy(v);
  }
  return null;
}

function contentRoot($: CheerioAPI): DomNode | null {
  for (const selector of CONTENT_SELECTORS) {
    const found = $(selector).first();
    const node = found[0] as DomNode | undefined;
    if (node && tidy(walk(node, false)).length >= 20) return node;
  }
  return null;
}

/** Removes headers, footers, menus and breadcrumbs marked by tag or class/id, unless they hold the head block or most of the text. */
function dropBoilerplate($: CheerioAPI, bodyLength: number): void {
  const doomed: AnyNode[] = [];
  $('header, footer, aside, [class], [id]').each((_, el) => {
    const node = el as unknown as DomNode;
    const name = (node.name ?? '').toLowerCase();
    if (name === 'body' || name === 'html') return;
    const marked = name === 'header' || name === 'footer' || name === 'aside' || tokens(node).some((t) => BOILERPLATE.test(t));
    if (!marked) return;
    const text = tidy(walk(node, false));
    if (text.includes('【发') || text.length > bodyLength * 0.4) return;
    doomed.push(el);
  });
  for (const el of doomed) $(el).remove();
}

function titleOf($: CheerioAPI, headNumber: string | null): string {
  const meta = metaContent($, ['ArticleTitle', 'og:title']);
  if (meta) return meta;
  for (const selector of TITLE_SELECTORS) {
    const found = $(selector).first()[0] as DomNode | undefined;
    if (!found) continue;
    const text = tidy(walk(found, false));
    if (text) return text;
  }
  const docTitle = tidy($('title').first().text());
  if (docTitle) return stripSiteSuffix(docTitle, metaContent($, ['ColumnName']));
  return headNumber ?? '';
}

function dateNearTop(text: string): string | null {
  const m = /(?:发布时间|发布日期|发文时间|日期|时间)\s*[:：]?\s*(\d{4}\s*[年\-./]\s*\d{1,2}\s*[月\-./]\s*\d{1,2})/.exec(text.slice(0, 4000));
  return m ? isoDate(m[1]!) : null;
}

function extract(html: string, url: string): Article {
  const $ = cheerio.load(html);
  $('script, style, noscript, template').remove();

  let base = url;
  const baseHref = $('base[href]').attr('href');
  if (baseHref) base = resolve(baseHref, url) ?? url;

  const attachments = attachmentsOf($, base);
  const root = $.root()[0] as unknown as DomNode;
  const fullText = lines(walk(root, false)).join('\n');
  const head = readHeadBlock(fullText);

  const title = titleOf($, head.number).slice(0, 500);
  const publishedAt = head.date ?? isoDate(metaContent($, PUBLICATION_METAS) ?? '') ?? dateNearTop(fullText);

  let text: string;
  const content = contentRoot($);
  if (content) {
    text = lines(walk(content, false)).join('\n');
  } else {
    const body = ($('body')[0] as DomNode | undefined) ?? root;
    dropBoilerplate($, tidy(walk(body, false)).length);
    text = withoutLinkDenseLines(lines(walk(body, true))).join('\n');
  }
  return { url, title, text, attachments, head, publishedAt };
}

/** The last resort for input cheerio could not read: tags stripped by pattern. */
function plain(html: string, url: string): Article {
  const text = lines(
    String(html)
      .replace(/<(script|style)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
      .replace(/<br\s*\/?>|<\/?(?:p|div|li|tr|h\d)\b[^>]*>/gi, '\n')
      .replace(/<[^>]*>?/g, '')
      .replace(SENTINELS, ''),
  ).join('\n');
  const head = readHeadBlock(text);
  return { url, title: head.number ?? '', text, attachments: [], head, publishedAt: head.date };
}

/** Reads an article page. Never throws. */
export function extractArticle(html: string, url: string): Article {
  try {
    return extract(typeof html === 'string' ? html : String(html ?? ''), url);
  } catch {
    try {
      return plain(html, url);
    } catch {
      return { url, title: '', text: '', attachments: [], head: { issuer: null, number: null, date: null }, publishedAt: null };
    }
  }
}
