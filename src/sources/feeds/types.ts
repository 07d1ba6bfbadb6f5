// What a feed poll yields: normalised news items, and the error a feed that cannot be read raises.

export interface NewsItem {
  /** Stable: sha256 (hex) of the dedupe identity (see dedupeIdentity). */
  id: string;
  feedId: string;
  /** Trimmed, HTML-decoded, whitespace collapsed; '' when the item has none. */
  title: string;
  /** Absolute http(s) URL as the feed gave it (resolved when relative); '' when the item has none. */
  link: string;
  guid: string | null;
  /** ISO 8601 (UTC). The item's date, or the time it was first seen when it has no usable date. */
  published: string;
  /** False when `published` is the first-seen time. */
  publishedKnown: boolean;
  /** Plain text (HTML stripped, entities decoded, whitespace collapsed), bounded. */
  summary: string;
  /** Topic ids, sorted. */
  topics: string[];
}

export interface ParsedFeed {
  feed: { title: string; link: string };
  items: NewsItem[];
  /** Items skipped and why (`item 3: no title and no link`), and notes about the document as a whole. */
  problems: string[];
}

/** Why a feed document is unusable as a whole. */
export type FeedErrorReason = 'empty' | 'not-xml' | 'not-a-feed' | 'malformed';

/** A feed that cannot be read at all: a source error with its reason (never "the feed is now empty"). */
export class FeedError extends Error {
  constructor(
    readonly reason: FeedErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FeedError';
  }
}
