import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db.js';
import { listingRetryDelayMs, markListing, pendingListings, rememberListings, startListingAttempt } from './sources.js';

let dir: string;
let db: Db;
const URL = 'http://127.0.0.1/article/1.html';
const t0 = new Date('2026-11-02T00:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const HOUR = 3_600_000;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sources-'));
  db = openDatabase(join(dir, 'test.db'));
  rememberListings(db, [{ url: URL, title: '商务部公告', publishedAt: '2026-11-02', sourceId: 'exportcontrol' }], t0.toISOString());
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const pending = (now: Date) => pendingListings(db, 'exportcontrol', 3, now).map((l) => l.attempts);

describe('listing attempts', () => {
  it('retries at once below the maximum, then after 1 h, 2 h, 4 h … at most 24 h', () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((n) => listingRetryDelayMs(n, 3) / HOUR)).toEqual([0, 0, 1, 2, 4, 8, 24]);
  });

  it('delays a listing whose attempts were all cut off instead of giving it up', () => {
    // Three attempts started and never finished (the process was killed each time).
    for (let i = 0; i < 3; i++) {
      expect(pending(t0)).toEqual([i]);
      startListingAttempt(db, URL, 3, t0);
    }
    expect(pending(t0)).toEqual([]);
    expect(pending(later(HOUR - 1))).toEqual([]);
    expect(pending(later(HOUR))).toEqual([3]);
    // A fourth attempt cut off: two hours more.
    startListingAttempt(db, URL, 3, later(HOUR));
    expect(pending(later(3 * HOUR - 1))).toEqual([]);
    expect(pending(later(3 * HOUR))).toEqual([4]);
  });

  it('retries a failed listing the same way, and never a done one', () => {
    for (let i = 0; i < 3; i++) {
      startListingAttempt(db, URL, 3, t0);
      markListing(db, URL, { status: 'failed', error: 'HTTP 404' });
    }
    expect(pending(t0)).toEqual([]);
    expect(pending(later(HOUR))).toEqual([3]);
    startListingAttempt(db, URL, 3, later(HOUR));
    markListing(db, URL, { status: 'done' });
    expect(pending(later(1000 * HOUR))).toEqual([]);
  });
});
