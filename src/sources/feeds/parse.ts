// One feed document (RSS 0.9x/1.0/2.0 or Atom) to normalised news items. rss-parser is used as a
// parser only (`parseString`); fetching is the polite HTTP client's job (see fetch.ts).
//
// Robustness:
// - a document that is not well-formed XML is read a second time leniently (sax non-strict mode: a
//   bare "&", an unclosed <br> in a description); when that yields items they are kept and the
//   problem is noted, otherwise the feed fails with the strict parser's message;
// - rss-parser builds all items in one go, so one entry with an invalid Atom date or a `<link>` without
//   attributes would lose the whole feed: each entry's dates and links are repaired first, and an item
//   that still fails is skipped into `problems`;
// - `<rss>` without a version attribute is read as RSS 2.0.
import Parser from 'rss-parser';
import type { Topics } from '../../domain/topics.js';
import { topicsOf } from '../../domain/topics.js';
import { newsItemId } from './dedupe.js';
import { boundText, DEFAULT_MAX_SUMMARY, htmlToText, MAX_TITLE, parseFeedDate, resolveHttpLink } from './normalise.js';
import { FeedError, type NewsItem, type ParsedFeed } from './types.js';

export interface ParseFeedOptions {
  feedId: string;
  /** When the feed was fetched: the published time of items without a usable date. */
  firstSeen: Date;
  topics: Topics;
  /** Summary bound in characters (default 500). */
  maxSummary?: number;
  /** The URL the document was fetched from: resolves relative links when the feed declares no link of its own. */
  url?: string;
}

/** Dates later than this after the fetch are not trusted (a feed's clock or template is wrong). */
const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

type RawItem = Record<string, unknown>;

interface RawFeed {
  title?: unknown;
  link?: unknown;
  feedUrl?: unknown;
  items?: unknown;
}

/** The parts of rss-parser 3.13's Parser used here (the per-item builders are wrapped, see makeParser). */
interface RssParser {
  parseString(xml: string): Promise<RawFeed>;
  parseItemAtom(entry: unknown): unknown;
  parseItemRss(item: unknown, fields: unknown): unknown;
}

type RssParserConstructor = new (options: Record<string, unknown>) => RssParser;

/** An item rss-parser could not build, in place of the item. */
class ItemFailure {
  constructor(readonly message: string) {}
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Text of an xml2js value: a string, the text of an element with attributes (`{_: …}`), the first of an array. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? textOf(value[0]) : '';
  if (value !== null && typeof value === 'object') {
    const text = (value as { _?: unknown })._;
    if (typeof text === 'string') return text;
  }
  return '';
}

/** All text inside an xml2js value (attributes left out): an Atom `type="xhtml"` title is a tree of elements. */
function deepText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(deepText).join(' ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .filter(([key]) => key !== '$')
      .map(([, child]) => deepText(child))
      .join(' ');
  }
  return '';
}

/**
 * An Atom entry rss-parser can build: dates it cannot read removed (it would throw "Invalid time value"),
 * the others given as ISO (so zone-less dates do not depend on the machine's zone), and `<link>` elements
 * without attributes turned into `<link href="…">` (it would throw reading `.$.rel`).
 */
function repairAtomEntry(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  const copy: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
  for (const key of ['published', 'updated']) {
    if (copy[key] === undefined) continue;
    const iso = parseFeedDate(textOf(copy[key]));
    if (iso === null) delete copy[key];
    else copy[key] = [iso];
  }
  if (copy.link !== undefined) {
    const links = Array.isArray(copy.link) ? copy.link : [copy.link];
    const repaired = links
      .map((link: unknown) => {
        if (link !== null && typeof link === 'object' && (link as { $?: unknown }).$ !== null && typeof (link as { $?: unknown }).$ === 'object') {
          return link;
        }
        const href = textOf(link).trim();
        return href === '' ? null : { $: { href } };
      })
      .filter((link) => link !== null);
    if (repaired.length > 0) copy.link = repaired;
    else delete copy.link;
  }
  return copy;
}

/** Element and attribute names in lenient mode (sax upper-cases them): lower case, except the few rss-parser reads in mixed case. */
const MIXED_CASE_NAMES = new Map([
  ['rdf:rdf', 'rdf:RDF'],
  ['itunes:episodetype', 'itunes:episodeType'],
]);
function lenientName(name: string): string {
  const lower = name.toLowerCase();
  return MIXED_CASE_NAMES.get(lower) ?? lower;
}

function makeParser(lenient: boolean): RssParser {
  const options: Record<string, unknown> = { defaultRSS: 2 };
  if (lenient) options.xml2js = { strict: false, tagNameProcessors: [lenientName], attrNameProcessors: [lenientName] };
  const parser = new (Parser as unknown as RssParserConstructor)(options);
  const buildAtom = parser.parseItemAtom.bind(parser);
  const buildRss = parser.parseItemRss.bind(parser);
  const guard = (build: () => unknown): unknown => {
    try {
      return build();
    } catch (error) {
      return new ItemFailure(errorMessage(error));
    }
  };
  parser.parseItemAtom = (entry) => guard(() => buildAtom(repairAtomEntry(entry)));
  parser.parseItemRss = (item, fields) => guard(() => buildRss(item, fields));
  return parser;
}

function flatten(message: string): string {
  return message.replace(/\s*\n\s*/g, ', ').trim();
}

function startOf(xml: string): string {
  return JSON.stringify(xml.trimStart().slice(0, 60).replace(/\s+/g, ' '));
}

/** Runs rss-parser, strictly and then leniently; FeedError when neither gives a feed. */
async function readFeed(xml: string): Promise<{ feed: RawFeed; lenientBecause: string | null }> {
  if (xml.trim() === '') throw new FeedError('empty', 'empty document: no feed');
  try {
    return { feed: await makeParser(false).parseString(xml), lenientBecause: null };
  } catch (error) {
    const message = flatten(errorMessage(error));
    const notAFeed = (cause: unknown, text: string) =>
      new FeedError('not-a-feed', `not an RSS or Atom feed (rss-parser: ${text}); the document starts ${startOf(xml)}`, { cause });
    if (/not recognized as RSS/i.test(message)) throw notAFeed(error, message);
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new FeedError('malformed', `the feed's structure cannot be read (rss-parser: ${message})`, { cause: error });
    }
    const strictError = new FeedError('not-xml', `not well-formed XML (rss-parser: ${message}); the document starts ${startOf(xml)}`, { cause: error });
    let lenient: RawFeed;
    try {
      lenient = await makeParser(true).parseString(xml);
    } catch (lenientError) {
      // An HTML page is rarely well-formed XML: say what it is rather than where the XML broke.
      const lenientMessage = flatten(errorMessage(lenientError));
      throw /not recognized as RSS/i.test(lenientMessage) ? notAFeed(lenientError, lenientMessage) : strictError;
    }
    // A broken document read as "a feed without items" would look like news stopping: refuse it.
    if (!Array.isArray(lenient.items) || lenient.items.length === 0) throw strictError;
    return { feed: lenient, lenientBecause: message };
  }
}

/**
 * The item's date: RSS pubDate, else dc:date (rss-parser's `date`); for Atom rss-parser puts published,
 * else updated, into `pubDate` (already repaired to ISO). rss-parser's own `isoDate` is not used: it
 * reads zone-less dates in the machine's zone.
 */
function publishedOf(raw: RawItem, notAfterMs: number): string | null {
  for (const key of ['pubDate', 'date', 'dc:date']) {
    const iso = parseFeedDate(textOf(raw[key]));
    if (iso !== null) return Date.parse(iso) <= notAfterMs ? iso : null;
  }
  return null;
}

function summaryOf(raw: RawItem, max: number): string {
  const itunes = raw.itunes !== null && typeof raw.itunes === 'object' ? (raw.itunes as RawItem) : {};
  for (const candidate of [raw.summary, raw.content, raw['content:encoded'], itunes.summary, itunes.subtitle]) {
    const text = htmlToText(textOf(candidate));
    if (text !== '') return boundText(text, max);
  }
  return '';
}

function categoriesOf(raw: RawItem): string[] {
  const categories = Array.isArray(raw.categories) ? raw.categories : [];
  return categories.map((c: unknown) => htmlToText(textOf(c))).filter((c) => c !== '');
}

interface ItemContext {
  feedId: string;
  base: string | null;
  firstSeen: Date;
  topics: Topics;
  maxSummary: number;
}

/** One raw item to a NewsItem, or the reason it is skipped. Notes about what was dropped go to `notes`. */
function normaliseItem(raw: RawItem, ctx: ItemContext, notes: string[]): NewsItem | string {
  const title = boundText(htmlToText(textOf(raw.title) || deepText(raw.title)), MAX_TITLE);
  const guidText = textOf(raw.guid).trim() || textOf(raw.id).trim();
  const guid = guidText === '' ? null : guidText;

  const linkText = textOf(raw.link).trim();
  let link = resolveHttpLink(linkText, ctx.base);
  if (link === null && linkText !== '') notes.push(`link ${JSON.stringify(linkText.slice(0, 200))} is not an http(s) URL: ignored`);
  // RSS: a GUID is a permalink unless it says otherwise (rss-parser drops isPermaLink); RSS 1.0: rdf:about.
  if (link === null && guid !== null && /^https?:\/\//i.test(guid)) link = resolveHttpLink(guid);
  if (link === null) link = resolveHttpLink(textOf(raw['rdf:about']));

  if (title === '' && link === null) return 'no title and no link';

  const published = publishedOf(raw, ctx.firstSeen.getTime() + FUTURE_TOLERANCE_MS);
  const summary = summaryOf(raw, ctx.maxSummary);
  const topics = topicsOf(ctx.topics, [title, summary, ...categoriesOf(raw)].join('\n'));
  const item = { feedId: ctx.feedId, title, link: link ?? '', guid };
  return {
    id: newsItemId(item),
    ...item,
    published: published ?? ctx.firstSeen.toISOString(),
    publishedKnown: published !== null,
    summary,
    topics,
  };
}

/**
 * Parses one feed document into normalised items. Throws FeedError (with the parser's message) when the
 * document is not a feed at all; one bad item never loses the others: it is skipped into `problems`.
 */
export async function parseFeedText(xml: string, opts: ParseFeedOptions): Promise<ParsedFeed> {
  const { feed, lenientBecause } = await readFeed(xml);
  const problems: string[] = [];
  if (lenientBecause !== null) problems.push(`not well-formed XML (${lenientBecause}): read leniently, items may be incomplete`);

  const fetchedFrom = opts.url !== undefined ? resolveHttpLink(opts.url) : null;
  const feedLink = resolveHttpLink(textOf(feed.link), fetchedFrom) ?? '';
  const ctx: ItemContext = {
    feedId: opts.feedId,
    base: feedLink !== '' ? feedLink : (fetchedFrom ?? resolveHttpLink(textOf(feed.feedUrl))),
    firstSeen: opts.firstSeen,
    topics: opts.topics,
    maxSummary: opts.maxSummary ?? DEFAULT_MAX_SUMMARY,
  };

  const items: NewsItem[] = [];
  const rawItems = Array.isArray(feed.items) ? (feed.items as unknown[]) : [];
  rawItems.forEach((raw, index) => {
    const where = `item ${index + 1}`;
    if (raw instanceof ItemFailure) {
      problems.push(`${where}: skipped, rss-parser could not read it (${flatten(raw.message)})`);
      return;
    }
    if (raw === null || typeof raw !== 'object') {
      problems.push(`${where}: skipped, not an item`);
      return;
    }
    const notes: string[] = [];
    try {
      const result = normaliseItem(raw as RawItem, ctx, notes);
      if (typeof result === 'string') problems.push(`${where}: skipped, ${result}`);
      else items.push(result);
    } catch (error) {
      problems.push(`${where}: skipped, ${errorMessage(error)}`);
    }
    for (const note of notes) problems.push(`${where}: ${note}`);
  });

  return { feed: { title: htmlToText(textOf(feed.title)), link: feedLink }, items, problems };
}
