// The polite HTTP client's contract: every source fetches through one of these.

/** Why a source answer is not usable. Each is a source error, never "the list is now empty". */
export type SourceErrorReason = 'timeout' | 'network' | 'http-status' | 'too-large' | 'mojibake' | 'js-shell' | 'challenge' | 'decode' | 'bad-shape' | 'empty';

export class SourceError extends Error {
  constructor(
    readonly reason: SourceErrorReason,
    message: string,
    readonly url: string,
    readonly status?: number,
    /** The source's Retry-After on its last answer (429, 503), in milliseconds: how long it asked to be left alone. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface FetchRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Readonly<Record<string, string>>;
  /** Request body for POST (e.g. a form, `pageNumber=1&columnID=9`). */
  body?: string;
  /** Send If-None-Match / If-Modified-Since from the validator store and accept a 304. */
  conditional?: boolean;
  /** Overrides the client's response size limit for this request (bytes). */
  maxBytes?: number;
  /** What the caller expects, for problem detection: a JSON API answer, an HTML page, XML, or binary (PDF). */
  expect?: 'json' | 'html' | 'xml' | 'binary';
  /**
   * Refuse, before connecting, a URL whose host resolves to a loopback, private, link-local, metadata or other
   * non-public address unless it is in the client's allowlist (URL_ALLOWLIST) — the first URL and every redirect —
   * and connect only to the addresses that were checked. For URLs anybody may configure, such as feeds.
   */
  publicOnly?: boolean;
}

export interface FetchResult {
  /** URL after redirects. */
  url: string;
  status: number;
  /** A 304 answer to a conditional request: `bytes` and `text` are empty. */
  notModified: boolean;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string>>;
  bytes: Buffer;
  /** Decoded text ('' for binary). */
  text: string;
  /** The charset used to decode, e.g. `utf-8`, `gb18030`. */
  charset: string;
}

export interface HttpClient {
  fetch(request: FetchRequest): Promise<FetchResult>;
}

/** Where conditional-GET validators are kept between runs (the store). */
export interface ValidatorStore {
  get(url: string): { etag: string | null; lastModified: string | null } | null;
  set(url: string, validators: { etag: string | null; lastModified: string | null }): void;
}
