// `backfill --since YEAR`: walks list pages back in time, remembers every listing, then processes
// them oldest first. Progress is kept in the store, so an interrupted backfill resumes where it stopped.
import { YEAR_PLACEHOLDER, type SourceConfig } from '../sources/config.js';
import { SourceError } from '../sources/http/types.js';
import { discover } from '../sources/mofcom/index.js';
import { rememberListings } from '../../storage/sources.js';
import { deleteValue, getValue, setValue } from '../../storage/kv.js';
import { processPending, type NoticeOutcome, type PollContext } from './poll.js';

export interface BackfillProgress {
  source: string;
  phase: 'discover' | 'process';
  step: number;
  total: number | null;
  listings: number;
}

export interface BackfillOutcome {
  source: string;
  pages: number;
  listings: number;
  stoppedBy: 'since' | 'end' | 'max-pages' | 'error';
  error?: string;
  notices: NoticeOutcome[];
}

export interface BackfillOptions {
  since: number;
  maxPages: number;
  onProgress?: (p: BackfillProgress) => void;
}

function progressKey(source: string, since: number): string {
  return `backfill:${source}:${since}`;
}

/** Walks one source's pages (or years, for annual index pages) back to `since`, remembering listings. */
async function walk(ctx: PollContext, source: SourceConfig, options: BackfillOptions): Promise<Omit<BackfillOutcome, 'notices'>> {
  const { app } = ctx;
  const key = progressKey(source.id, options.since);
  const resumeAt = Number(getValue(app.db, key) ?? '0') + 1;
  const now = app.now();
  // Annual index pages are walked year by year; a plain list page (no {year}) is read once.
  const byYear = source.kind === 'html-index' && source.url.includes(YEAR_PLACEHOLDER);
  const single = source.kind === 'html-index' && !byYear;
  const total = single ? 1 : byYear ? now.getUTCFullYear() - options.since + 1 : options.maxPages;
  let listings = 0;
  let previous = '';
  for (let step = resumeAt; step <= total; step++) {
    const position = byYear ? { year: now.getUTCFullYear() - step + 1 } : { page: step };
    let found;
    try {
      found = await discover(source, { http: ctx.http, now, ...position });
    } catch (err) {
      if (err instanceof SourceError && err.reason === 'empty' && step > 1) return { source: source.id, pages: step - 1, listings, stoppedBy: 'end' };
      // A year without an index page (404) is skipped, not fatal.
      if (byYear && err instanceof SourceError && err.status === 404) {
        setValue(app.db, key, String(step));
        continue;
      }
      return { source: source.id, pages: step - 1, listings, stoppedBy: 'error', error: err instanceof Error ? err.message : String(err) };
    }
    const fingerprint = found.map((l) => l.url).join('\n');
    if (!byYear && fingerprint === previous) return { source: source.id, pages: step - 1, listings, stoppedBy: 'end' };
    previous = fingerprint;
    listings += rememberListings(app.db, found, app.now().toISOString());
    setValue(app.db, key, String(step));
    options.onProgress?.({ source: source.id, phase: 'discover', step, total, listings });
    const oldest = found
      .map((l) => l.publishedAt)
      .filter((d): d is string => d !== null)
      .sort()[0];
    if (!byYear && oldest !== undefined && oldest < `${options.since}-01-01`) return { source: source.id, pages: step, listings, stoppedBy: 'since' };
  }
  return { source: source.id, pages: total, listings, stoppedBy: byYear ? 'since' : single ? 'end' : 'max-pages' };
}

export async function backfill(ctx: PollContext, sources: readonly SourceConfig[], options: BackfillOptions): Promise<BackfillOutcome[]> {
  const outcomes: BackfillOutcome[] = [];
  for (const source of sources) {
    if (source.kind === 'feed') continue;
    const walked = await walk(ctx, source, options);
    const notices = await processPending(ctx, source.id, (_o, done, total) =>
      options.onProgress?.({ source: source.id, phase: 'process', step: done, total, listings: walked.listings }),
    );
    // A walk that reached its end is complete: a later backfill starts from the newest page again.
    if (walked.stoppedBy !== 'error') deleteValue(ctx.app.db, progressKey(source.id, options.since));
    outcomes.push({ ...walked, notices });
  }
  return outcomes;
}
