// Industry news feeds (RSS 0.9x/1.0/2.0 and Atom): fetch through the polite HTTP client, parse with
// rss-parser, normalise, tag with topics; dedupe keys for storage/news.ts.
export { dedupeIdentity, dedupeKeys, isGlobalGuid, newsItemId, type DedupeKeys } from './dedupe.js';
export { fetchFeed, type FetchFeedOptions } from './fetch.js';
export { boundText, canonicalLink, DEFAULT_MAX_SUMMARY, htmlToText, normaliseTitle, parseFeedDate, resolveHttpLink, titleHash } from './normalise.js';
export { parseFeedText, type ParseFeedOptions } from './parse.js';
export { FeedError, type FeedErrorReason, type NewsItem, type ParsedFeed } from './types.js';
