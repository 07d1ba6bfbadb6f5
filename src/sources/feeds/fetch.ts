// Fetching a feed: through the polite HTTP client (conditional GET, charset from the header, then the
// XML declaration, then UTF-8; GBK/GB2312 decoded as GB18030), then parseFeedText. rss-parser's own
// fetcher is not used: it throws on 304, hides the response headers and garbles GBK.
import type { Topics } from '../../domain/topics.js';
import type { HttpClient } from '../http/types.js';
import { parseFeedText } from './parse.js';
import { FeedError, type ParsedFeed } from './types.js';

export interface FetchFeedOptions {
  /** The time of this poll: first-seen time of items without a usable date. */
  now: Date;
  topics: Topics;
  maxSummary?: number;
}

/**
 * Fetches and parses one feed. Null when the server answers 304 (unchanged since the last poll). HTTP
 * failures are the client's SourceErrors; a document that is not a feed is a FeedError naming the URL.
 */
export async function fetchFeed(http: HttpClient, source: { id: string; url: string }, opts: FetchFeedOptions): Promise<ParsedFeed | null> {
  // Feed URLs are anybody's: the SSRF guard applies (URL_ALLOWLIST), to every redirect too.
  const result = await http.fetch({ url: source.url, conditional: true, expect: 'xml', publicOnly: true });
  if (result.notModified) return null;
  try {
    return await parseFeedText(result.text, {
      feedId: source.id,
      firstSeen: opts.now,
      topics: opts.topics,
      url: result.url,
      ...(opts.maxSummary !== undefined ? { maxSummary: opts.maxSummary } : {}),
    });
  } catch (error) {
    if (error instanceof FeedError) throw new FeedError(error.reason, `feed ${source.id} (${result.url}): ${error.message}`, { cause: error });
    throw error;
  }
}
