// One poll: discover → fetch notice → classify → apply to registers → diff → guard → record → notify.
// Doubt is an error, not a change: source errors leave registers untouched and go to source health;
// change sets that remove too much are quarantined; unreadable parts flag the notice for review.
import { createHash } from 'node:crypto';
import { diff, summarise } from '../domain/diff.js';
import { noticeKeyFromNumber } from '../domain/notice-key.js';
import { StateOrderError, countCurrent, currentVersions, recordChanges, toEntries } from '../../storage/registers.js';
import { addNoticeUrl, getNotice, saveNotice, setNoticeStatus } from '../../storage/notices.js';
import {
  markListing,
  pendingListings,
  recordFailure,
  recordSuccess,
  rememberListings,
  getHealth,
  setNextPoll,
  setValidators,
  startListingAttempt,
  giveBackListingAttempt,
} from '../../storage/sources.js';
import { deleteValue, getValue, setValue } from '../../storage/kv.js';
import { storageFault } from '../../storage/faults.js';
import type { Db } from '../../storage/db.js';
import { quarantineChanges } from '../../storage/quarantine.js';
import type { Change, Entry, UnparsedClause } from '../domain/types.js';
import type { App } from '../app.js';
import type { AlertEvent } from '../alerts/types.js';
import { buildChangeMessage } from '../alerts/change-message.js';
import { changeSetEvent, newsEvent, noticeEvent, operatorEvent } from '../alerts/events.js';
import { buildNoticeMessage, buildQuarantineMessage, buildSourceAlert } from '../alerts/notice-message.js';
import { fetchFeed } from '../sources/feeds/index.js';
import { storeNewsItems } from '../../storage/news.js';
import { classifyNotice } from '../registers/classify.js';
import { REGISTERS } from '../registers/index.js';
import type { NoticeDocument, RegisterUpdate } from '../registers/types.js';
import { applyPatches } from '../registers/tech-catalogue/apply.js';
import { entryToTech, techToEntry } from '../registers/tech-catalogue/entry.js';
import { techCatalogue } from '../registers/tech-catalogue/index.js';
import { parseAdjustmentNotice } from '../registers/tech-catalogue/notice.js';
import { CatalogueParseError, parseCatalogue } from '../registers/tech-catalogue/parse.js';
import { extractArticle } from '../sources/article.js';
import { attachmentText } from '../sources/attachments.js';
import type { SourceConfig } from '../sources/config.js';
import { SourceError, type HttpClient } from '../sources/http/types.js';
import { discover } from '../sources/mofcom/index.js';
import type { Article, Listing } from '../sources/types.js';
import { looksLikeTableText, tableTextToHtml } from './table-text.js';

export interface WatchSettings {
  /** A change set removing more than this share of a register's entries is quarantined. */
  quarantineShare: number;
  /** Consecutive failures of a source before an operator alert. */
  failureThreshold: number;
  /** Attempts at fetching one listing before giving up on it. */
  maxListingAttempts: number;
  /** Most attachments read per notice. */
  maxAttachments: number;
  /** News items repeating one seen within this many days are duplicates. */
  newsDedupeDays: number;
}

export const DEFAULT_WATCH_SETTINGS: WatchSettings = {
  quarantineShare: 0.1,
  failureThreshold: 3,
  maxListingAttempts: 3,
  maxAttachments: 5,
  newsDedupeDays: 30,
};

export interface PollContext {
  app: App;
  http: HttpClient;
  settings: WatchSettings;
  /** Records an alert event with its deliveries; called inside the transaction that records its cause. */
  emit: (event: AlertEvent) => void;
}

export interface RegisterOutcome {
  register: string;
  outcome: 'recorded' | 'quarantined' | 'unchanged' | 'refused';
  summary?: ReturnType<typeof summarise>;
  changes?: Change[];
  quarantineId?: number;
  reason?: string;
}

export interface NoticeOutcome {
  url: string;
  noticeKey: string | null;
  title: string;
  kind: string | null;
  outcome: 'applied' | 'flagged' | 'quarantined' | 'duplicate' | 'failed';
  flags: string[];
  registers: RegisterOutcome[];
  error?: string;
  /** For a failed notice whose page the source would not give for now (5xx, timeout, a shell…): the source error's reason. */
  sourceTrouble?: string;
}

export interface SourceOutcome {
  sourceId: string;
  ok: boolean;
  error?: { reason: string; message: string };
  listings: number;
  newListings: number;
  notices: NoticeOutcome[];
  /** For feeds: new (deduplicated) news items. */
  news?: number;
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A notice without a printed number keeps a key from its URL, and is still reported. */
export function urlNoticeKey(url: string): string {
  return `URL-${sha(url).slice(0, 12).toUpperCase()}`;
}

export function noticeKeyOf(article: Article): string {
  return (
    (article.head.number ? noticeKeyFromNumber(article.head.number) : null) ??
    noticeKeyFromNumber(article.title) ??
    noticeKeyFromNumber(article.text.slice(0, 1500)) ??
    urlNoticeKey(article.url)
  );
}

function effectiveDate(text: string, publishedAt: string | null): string | null {
  if (/自(?:发布|公布)之日起(?:正式)?(?:施行|实施|生效)/.test(text)) return publishedAt;
  const m = /自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日起(?:正式)?(?:施行|实施|生效)/.exec(text.normalize('NFKC'));
  if (!m) return publishedAt;
  return `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
}

/** The technology catalogue's update from a notice: an adjustment is applied clause by clause; a revision is read from its attachment. */
function techUpdate(kind: string, notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null {
  const before = current.map(entryToTech);
  if (kind === 'tech-catalogue-adjustment') {
    const parsed = parseAdjustmentNotice(notice.text);
    const applied = applyPatches(before, parsed.patches);
    return { after: applied.entries.map(techToEntry), unparsed: [...parsed.unparsed, ...applied.errors], flags: parsed.totalsMismatch };
  }
  const reasons: string[] = [];
  for (const [i, text] of notice.attachmentTexts.entries()) {
    const doc = looksLikeTableText(text) ? tableTextToHtml(text) : text;
    try {
      const parsed = parseCatalogue(doc);
      const unparsed: UnparsedClause[] = parsed.problems.map((p) => ({ clause: `attachment line ${p.line}`, text: p.text, reason: p.reason }));
      return { after: parsed.entries.map(techToEntry), unparsed, flags: [] };
    } catch (err) {
      if (!(err instanceof CatalogueParseError)) throw err;
      reasons.push(`attachment ${i + 1}: ${err.message}`);
    }
  }
  const why = reasons.length > 0 ? reasons.join('; ') : 'the notice has no readable attachment';
  return { after: [...current], unparsed: [], flags: [`the notice revises the catalogue but no attachment could be read as a catalogue (${why})`] };
}

function registerUpdate(register: string, kind: string, notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null {
  if (register === techCatalogue.id) return techUpdate(kind, notice, current);
  const module = REGISTERS[register];
  return module?.fromNotice ? module.fromNotice(notice, current) : null;
}

async function readAttachments(ctx: PollContext, article: Article): Promise<{ texts: string[]; flags: string[] }> {
  const texts: string[] = [];
  const flags: string[] = [];
  for (const a of article.attachments.slice(0, ctx.settings.maxAttachments)) {
    try {
      const res = await ctx.http.fetch({ url: a.url, expect: 'binary', maxBytes: 30 * 1024 * 1024 });
      const { text } = await attachmentText(res.bytes, { name: a.name || a.url, contentType: res.headers['content-type'] });
      texts.push(text);
    } catch (err) {
      // The source not giving the attachment for now (5xx, timeout, reset…) fails the notice like its page would: it is
      // read again, whole, at the next poll, instead of being applied without what may be its catalogue.
      if (sourceTrouble(err)) throw err;
      flags.push(`attachment ${a.name || a.url} could not be read: ${(err as Error).message}`);
    }
  }
  return { texts, flags };
}

/** Applies one register's update: diff, guard, record (or quarantine), notify. */
function applyToRegister(ctx: PollContext, register: string, update: RegisterUpdate, notice: NoticeDocument, asOf: string): RegisterOutcome {
  const { app } = ctx;
  const module = REGISTERS[register];
  const current = toEntries(currentVersions(app.db, register));
  let changes = diff(current, update.after);
  if (module?.refineChange) changes = changes.map((c) => module.refineChange!(c));
  if (changes.length === 0) return { register, outcome: 'unchanged' };
  const now = app.now().toISOString();
  const removed = changes.filter((c) => c.kind === 'removed').length;
  const size = countCurrent(app.db, register);
  if (size > 0 && removed > size * ctx.settings.quarantineShare) {
    const reason = `removes ${removed} of ${size} entries (more than ${Math.round(ctx.settings.quarantineShare * 100)}%)`;
    // An attempt cut off after quarantining (a crash, a storage fault) is not quarantined and alerted twice.
    const held = app.db
      .prepare("SELECT id FROM quarantine WHERE register_id = ? AND notice_key = ? AND status = 'pending' ORDER BY id LIMIT 1")
      .pluck()
      .get(register, notice.key) as number | undefined;
    if (held !== undefined) return { register, outcome: 'quarantined', quarantineId: held, reason };
    const id = app.db.transaction(() => {
      const qid = quarantineChanges(app.db, { register, noticeKey: notice.key, reason, asOf, changes, unparsed: update.unparsed, at: now });
      const message = buildQuarantineMessage({ id: qid, register, noticeKey: notice.key, reason, changes: changes.length }, now);
      ctx.emit(operatorEvent({ id: `quarantine:${qid}`, kind: 'quarantine', severity: 'high', message, at: now }));
      return qid;
    })();
    return { register, outcome: 'quarantined', quarantineId: id, reason };
  }
  const flagged = update.unparsed.length > 0 || update.flags.length > 0;
  const record = app.db.transaction(() => {
    const changeSetId = recordChanges(app.db, {
      register,
      changes,
      summary: summarise(changes),
      unparsed: [...update.unparsed, ...update.flags.map((f) => ({ clause: 'check', text: f, reason: 'self-check failed' }))],
      asOf,
      noticeKey: notice.key,
      source: 'apply',
      detectedAt: now,
      flagged,
      searchText: (e) => (module ?? techCatalogue).searchText(e, app.gloss),
    });
    const stored = getNotice(app.db, notice.key);
    const message = buildChangeMessage({
      register,
      changes,
      notice: stored ?? {
        key: notice.key,
        title: notice.title,
        number: notice.number ?? '',
        publishedAt: notice.publishedAt,
        effectiveAt: notice.effectiveAt,
        urls: [],
      },
      detectedAt: now,
      gloss: app.gloss,
      unparsedCount: update.unparsed.length + update.flags.length,
    });
    ctx.emit(changeSetEvent({ changeSetId, register, changes, noticeKey: notice.key, message, topics: app.topics, gloss: app.gloss, at: now }));
  });
  try {
    record.immediate();
  } catch (err) {
    if (err instanceof StateOrderError) return { register, outcome: 'refused', reason: err.message };
    throw err;
  }
  return { register, outcome: 'recorded', summary: summarise(changes), changes };
}

/** Fetches one listing's article, records the notice and applies it to every register it concerns. */
export async function processListing(ctx: PollContext, listing: Pick<Listing, 'url' | 'title' | 'publishedAt'>): Promise<NoticeOutcome> {
  const { app } = ctx;
  const page = await ctx.http.fetch({ url: listing.url, expect: 'html' });
  const article = extractArticle(page.text, page.url);
  const key = noticeKeyOf(article);
  const title = article.title || listing.title;
  const existing = getNotice(app.db, key);
  // A pending notice is one an earlier attempt started and did not finish (a crash, a storage fault).
  const resumed = existing?.status === 'pending';
  if (existing && existing.status !== 'pending') {
    addNoticeUrl(app.db, key, listing.url);
    if (page.url !== listing.url) addNoticeUrl(app.db, key, page.url);
    return { url: listing.url, noticeKey: key, title, kind: existing.kind, outcome: 'duplicate', flags: [], registers: [] };
  }
  const classification = classifyNotice({ title, text: article.text, key, number: article.head.number });
  const attachments = await readAttachments(ctx, article);
  const publishedAt = article.publishedAt ?? listing.publishedAt;
  const notice: NoticeDocument = {
    key,
    title,
    text: article.text,
    number: article.head.number,
    issuer: article.head.issuer,
    publishedAt,
    effectiveAt: effectiveDate(article.text, publishedAt),
    attachmentTexts: attachments.texts,
  };
  const urls = [...new Set([listing.url, page.url])];
  const flags = [...attachments.flags];
  if (key.startsWith('URL-')) flags.push('no announcement number found; keyed by URL');
  saveNotice(app.db, {
    key,
    registerId: null,
    title,
    issuer: notice.issuer ?? '',
    number: notice.number ?? '',
    publishedAt,
    effectiveAt: notice.effectiveAt,
    urls,
    textHash: sha(article.text),
    status: 'pending',
    kind: classification.kind,
    body: article.text,
    recordedAt: app.now().toISOString(),
  });
  const asOf = publishedAt ?? app.now().toISOString().slice(0, 10);
  const registers: RegisterOutcome[] = [];
  for (const register of classification.registers) {
    const current = toEntries(currentVersions(app.db, register));
    const update = registerUpdate(register, classification.kind, notice, current);
    if (!update) continue;
    flags.push(...update.flags, ...update.unparsed.map((u) => `${register}: clause ${u.clause || '?'} not applied (${u.reason})`));
    const outcome = applyToRegister(ctx, register, update, notice, asOf);
    if (outcome.outcome === 'quarantined') flags.push(`${register}: change set quarantined (${outcome.reason})`);
    if (outcome.outcome === 'refused') flags.push(`${register}: not applied: ${outcome.reason}`);
    registers.push(outcome);
  }
  const quarantined = registers.some((r) => r.outcome === 'quarantined');
  const status = quarantined ? 'quarantined' : flags.length > 0 ? 'flagged' : 'applied';
  app.db.transaction(() => {
    setNoticeStatus(app.db, key, status, flags);
    // A notice that changed no register is still alerted as a notice, never dropped. One whose earlier, cut-off
    // attempt already recorded (or quarantined) its changes was alerted with them: it is not alerted again as a notice.
    if (!registers.some((r) => r.outcome === 'recorded' || r.outcome === 'quarantined') && !(resumed && changedRegisters(app, key))) {
      const stored = getNotice(app.db, key)!;
      const at = app.now().toISOString();
      const message = buildNoticeMessage({ ...stored, kind: classification.kind }, flags, at);
      ctx.emit(noticeEvent({ noticeKey: key, title, body: article.text, flagged: flags.length > 0, message, topics: app.topics, at }));
    }
  })();
  return { url: listing.url, noticeKey: key, title, kind: classification.kind, outcome: status, flags, registers };
}

/** Whether change sets (recorded or quarantined) from the notice are in the store. */
function changedRegisters(app: App, noticeKey: string): boolean {
  return (
    app.db
      .prepare('SELECT EXISTS (SELECT 1 FROM change_sets WHERE notice_key = @k) OR EXISTS (SELECT 1 FROM quarantine WHERE notice_key = @k)')
      .pluck()
      .get({ k: noticeKey }) === 1
  );
}

function nextPollAt(source: SourceConfig, from: Date, random: () => number): string {
  // Up to 10% jitter so sources are not polled in lockstep.
  return new Date(from.getTime() + source.everyMs + Math.floor(random() * source.everyMs * 0.1)).toISOString();
}

/** Discovers new listings of one source and processes them. Source errors are recorded, never thrown. */
export async function pollSource(
  ctx: PollContext,
  source: SourceConfig,
  options: { page?: number; year?: number; random?: () => number } = {},
): Promise<SourceOutcome> {
  const { app } = ctx;
  const started = app.now();
  const at = started.toISOString();
  setNextPoll(app.db, source.id, nextPollAt(source, started, options.random ?? Math.random));
  if (source.kind === 'feed') return pollFeed(ctx, source, at);
  const listings: Listing[] = [];
  // The client stores a list page's validators when it fetches it; the listings are remembered after. A poll that did
  // not get that far (a crash, a kill, a later page failing) leaves this marker: the next poll asks unconditionally, so
  // a page answered then is not answered 304 now with its listings never remembered.
  const marker = `list-inflight:${source.id}`;
  const conditional = getValue(app.db, marker) === null;
  setValue(app.db, marker, at);
  try {
    // The column API is walked over its configured number of pages; other kinds answer one page.
    const first = options.page ?? 1;
    const pages = source.kind === 'export-control-columns' && options.page === undefined ? source.pages : 1;
    for (let page = first; page < first + pages; page++) {
      // Conditional GET where the kind supports it: an unchanged list costs a 304 and yields nothing new.
      listings.push(...(await discover(source, { http: ctx.http, now: started, page, conditional, ...(options.year ? { year: options.year } : {}) })));
    }
  } catch (err) {
    // The store failing (e.g. storing the list's validators) is not the source's fault: it stops the poll instead.
    if (storageFault(err) !== null) throw err;
    const reason = err instanceof SourceError ? err.reason : 'error';
    const message = err instanceof Error ? err.message : String(err);
    // A source that asked to be left alone (429/503 with Retry-After) is not polled again before that.
    if (err instanceof SourceError && err.retryAfterMs !== undefined) postponePoll(ctx, source.id, new Date(started.getTime() + err.retryAfterMs));
    recordHealth(ctx, source.id, at, { reason, message });
    return { sourceId: source.id, ok: false, error: { reason, message }, listings: 0, newListings: 0, notices: [] };
  }
  const newListings = app.db.transaction(() => {
    const added = rememberListings(app.db, listings, at);
    deleteValue(app.db, marker);
    return added;
  })();
  const notices = await processPending(ctx, source.id);
  // The list answered but a notice page did not (5xx, timeout, a shell or mojibake page…): the source is failing all
  // the same — status, /healthz and the operator alert say so — and the listing waits for the next poll.
  const unfetched = notices.filter((n) => n.sourceTrouble !== undefined);
  const failure =
    unfetched.length === 0
      ? null
      : { reason: unfetched[0]!.sourceTrouble!, message: `${unfetched.length} of ${notices.length} notice page(s) not fetched: ${unfetched[0]!.error}` };
  recordHealth(ctx, source.id, at, failure);
  return { sourceId: source.id, ok: failure === null, ...(failure ? { error: failure } : {}), listings: listings.length, newListings, notices };
}

/** Moves the source's next poll to `until` when that is later than the one already set. */
function postponePoll(ctx: PollContext, sourceId: string, until: Date): void {
  const next = getHealth(ctx.app.db, sourceId).nextPollAt;
  if (next === null || Date.parse(next) < until.getTime()) setNextPoll(ctx.app.db, sourceId, until.toISOString());
}

/** A notice page the source would not give for now — not a fault of the listing, so its attempt is given back. */
function sourceTrouble(err: unknown): err is SourceError {
  if (!(err instanceof SourceError)) return false;
  if (err.reason === 'http-status') return err.status === undefined || err.status === 408 || err.status === 429 || err.status >= 500;
  return ['timeout', 'network', 'js-shell', 'challenge', 'mojibake', 'empty'].includes(err.reason);
}

/** Fetches a news feed, keeps the items not seen before (across feeds and polls) and alerts each. */
async function pollFeed(ctx: PollContext, source: Extract<SourceConfig, { kind: 'feed' }>, at: string): Promise<SourceOutcome> {
  const { app } = ctx;
  // The client stores the feed's ETag when it fetches; the items are stored after. If a crash fell in between,
  // the marker is still set: forget the validators so this fetch is unconditional (dedupe drops what was kept).
  const marker = `feed-inflight:${source.id}`;
  if (getValue(app.db, marker) !== null) setValidators(app.db, source.url, { etag: null, lastModified: null });
  setValue(app.db, marker, at);
  let parsed;
  try {
    parsed = await fetchFeed(ctx.http, { id: source.id, url: source.url }, { now: app.now(), topics: app.topics });
  } catch (err) {
    if (storageFault(err) !== null) throw err;
    const failure = { reason: err instanceof SourceError ? err.reason : 'feed', message: err instanceof Error ? err.message : String(err) };
    if (err instanceof SourceError && err.retryAfterMs !== undefined) postponePoll(ctx, source.id, new Date(Date.parse(at) + err.retryAfterMs));
    recordHealth(ctx, source.id, at, failure);
    return { sourceId: source.id, ok: false, error: failure, listings: 0, newListings: 0, notices: [] };
  }
  const items = parsed?.items ?? [];
  let fresh = 0;
  app.db.transaction(() => {
    const stored = storeNewsItems(app.db, items, { now: app.now(), windowDays: ctx.settings.newsDedupeDays });
    fresh = stored.length;
    deleteValue(app.db, marker);
    for (const item of stored) {
      ctx.emit(newsEvent(item, source.name ?? source.id, at));
    }
  })();
  recordHealth(ctx, source.id, at, null);
  return { sourceId: source.id, ok: true, listings: items.length, newListings: fresh, notices: [], news: fresh };
}

/**
 * Listings whose counted attempt a storage fault cut off, per database: the attempt is given back at the next pass. (A
 * process stopped by a lasting fault — a full disk — loses this: the attempt then stays counted, one per stop.)
 */
const owedAttempts = new WeakMap<Db, Set<string>>();
function owed(db: Db): Set<string> {
  let set = owedAttempts.get(db);
  if (!set) owedAttempts.set(db, (set = new Set()));
  return set;
}

/** Fetches and applies every listing of a source not yet done (oldest first, so registers move forward in time). */
export async function processPending(
  ctx: PollContext,
  sourceId: string,
  onEach?: (outcome: NoticeOutcome, done: number, total: number) => void,
): Promise<NoticeOutcome[]> {
  const { app } = ctx;
  const notices: NoticeOutcome[] = [];
  const owedAttempts = owed(app.db);
  for (const url of owedAttempts) {
    giveBackListingAttempt(app.db, url);
    owedAttempts.delete(url);
  }
  const pending = pendingListings(app.db, sourceId, ctx.settings.maxListingAttempts, app.now());
  for (const listing of pending) {
    let outcome: NoticeOutcome;
    startListingAttempt(app.db, listing.url, ctx.settings.maxListingAttempts, app.now());
    try {
      outcome = await processListing(ctx, listing);
      markListing(app.db, listing.url, { status: 'done', noticeKey: outcome.noticeKey });
    } catch (err) {
      if (storageFault(err) !== null) {
        // The store failed (locked, full, read-only…), not the listing: its attempt is given back at the next pass (the
        // store is not asked again now), and this pass stops. The listing stays pending.
        owed(app.db).add(listing.url);
        throw err;
      }
      const message = err instanceof Error ? err.message : String(err);
      markListing(app.db, listing.url, { status: 'failed', error: message });
      outcome = { url: listing.url, noticeKey: null, title: listing.title, kind: null, outcome: 'failed', flags: [], registers: [], error: message };
      // The source failing to give the page (the poll then counts as failed) does not use up the listing's attempts:
      // it is not given up while the source is down, however long that lasts.
      if (sourceTrouble(err)) {
        giveBackListingAttempt(app.db, listing.url);
        outcome.sourceTrouble = err.reason;
      }
    }
    notices.push(outcome);
    onEach?.(outcome, notices.length, pending.length);
  }
  return notices;
}

/** Records a poll's outcome in the source's health and, in the same transaction, the operator alert it raises or clears. */
function recordHealth(ctx: PollContext, sourceId: string, at: string, failure: { reason: string; message: string } | null): void {
  ctx.app.db.transaction(() => {
    const transition = failure
      ? recordFailure(ctx.app.db, sourceId, at, failure.reason, failure.message, ctx.settings.failureThreshold)
      : recordSuccess(ctx.app.db, sourceId, at);
    if (!transition) return;
    const message = buildSourceAlert(getHealth(ctx.app.db, sourceId), transition, at);
    ctx.emit(
      operatorEvent({ id: `health:${sourceId}:${transition}:${at}`, kind: 'source-health', severity: transition === 'raise' ? 'high' : 'low', message, at }),
    );
  })();
}
