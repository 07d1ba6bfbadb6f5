// Turns a notice as fetched (an HTML article page, an HTML fragment or plain text) into
// plain text with one paragraph per line, the form the clause reader works on.
import { load } from 'cheerio';
import { decodeEntities } from '../../domain/html-entities.js';

const HTML_HINT = /<(?:!doctype|html|head|body|p|div|br|span|table|tbody|tr|td|th|li|ul|ol|h[1-6]|article|section|font|strong|b|meta|title)\b[^>]*>/i;

// Elements whose boundaries are paragraph breaks; everything else is inline.
const BLOCKS = 'p,div,li,tr,h1,h2,h3,h4,h5,h6,table,ul,ol,dl,dt,dd,section,article,blockquote,pre,center,hr';
// Page furniture that never carries notice text.
const FURNITURE = 'script,style,noscript,template,head,nav,footer,iframe,svg,object';

function htmlToText(doc: string): string {
  const $ = load(doc);
  $(FURNITURE).remove();
  // Line breaks in the HTML source are just spaces; only elements make paragraphs.
  $('*')
    .contents()
    .each((_, node) => {
      if (node.nodeType === 3) node.data = node.data.replace(/[\r\n]+/g, ' ');
    });
  $('br').replaceWith('\n');
  $('td,th').after(' ');
  $(BLOCKS).before('\n').after('\n');
  return $.root().text();
}

function tidyLine(line: string): string {
  return line
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\s\u00a0\u2000-\u200a\u3000]+/g, ' ')
    .trim();
}

/**
 * Plain text of a notice, one paragraph per line, blank lines dropped. HTML is detected
 * by its tags; `&nbsp;`, `&ensp;` and similar become spaces (also in plain text, where they
 * survive copy-and-paste from page sources).
 */
export function noticeText(doc: string): string {
  const raw = HTML_HINT.test(doc) ? htmlToText(doc) : decodeEntities(doc);
  return raw
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map(tidyLine)
    .filter((line) => line !== '')
    .join('\n');
}
