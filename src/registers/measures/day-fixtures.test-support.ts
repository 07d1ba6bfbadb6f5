// Test support: the "day of notices" fixtures (test/fixtures/mofcom-day) read into NoticeDocuments the
// way the pipeline hands them to the registers: title from <title>, one line per <p>, head block fields.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { readHeadBlock } from '../../domain/head-block.js';
import { noticeKeyFromNumber } from '../../domain/notice-key.js';
import type { NoticeDocument } from '../types.js';

export const DAY_DIR = fileURLToPath(new URL('../../../test/fixtures/mofcom-day/', import.meta.url));
export const REGISTER_FIXTURES_DIR = fileURLToPath(new URL('../../../test/fixtures/registers/', import.meta.url));

export function dayFiles(): string[] {
  return readdirSync(DAY_DIR)
    .filter((f) => f.endsWith('.html'))
    .sort();
}

/** A MOFCOM article page as the registers see it. */
export function noticeFromHtml(html: string, overrides: Partial<NoticeDocument> = {}): NoticeDocument {
  const $ = cheerio.load(html);
  const title = $('title').first().text().replace(/\s+/g, ' ').trim();
  const paragraphs = $('#zoom p').length > 0 ? $('#zoom p') : $('p');
  const text = paragraphs
    .map((_, p) => $(p).text().trim())
    .get()
    .filter((t) => t !== '')
    .join('\n');
  const head = readHeadBlock(text);
  const key = (head.number ? noticeKeyFromNumber(head.number) : null) ?? noticeKeyFromNumber(title) ?? 'URL-UNKNOWN';
  return { key, title, text, number: head.number, issuer: head.issuer, publishedAt: head.date, effectiveAt: null, attachmentTexts: [], ...overrides };
}

export function dayNotice(file: string): NoticeDocument {
  return noticeFromHtml(readFileSync(`${DAY_DIR}${file}`, 'utf8'));
}

export function registerFixture(file: string): string {
  return readFileSync(`${REGISTER_FIXTURES_DIR}${file}`, 'utf8');
}

/** A text fixture: the title on the first line, then the body (head block included). */
export function noticeFromText(doc: string, overrides: Partial<NoticeDocument> = {}): NoticeDocument {
  const [first = '', ...rest] = doc.split(/\r?\n/);
  const title = first.trim();
  const text = rest.join('\n');
  const head = readHeadBlock(text);
  const key = (head.number ? noticeKeyFromNumber(head.number) : null) ?? noticeKeyFromNumber(title) ?? 'URL-UNKNOWN';
  return { key, title, text, number: head.number, issuer: head.issuer, publishedAt: head.date, effectiveAt: null, attachmentTexts: [], ...overrides };
}

export function registerNotice(file: string, overrides: Partial<NoticeDocument> = {}): NoticeDocument {
  return noticeFromText(registerFixture(file), overrides);
}
