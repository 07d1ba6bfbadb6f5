// Sources: where notices are discovered. A listing is one link found on a list page or list API.

export interface Listing {
  /** Absolute URL of the article (relative links resolved against the source's base). */
  url: string;
  title: string;
  /** YYYY-MM-DD when the list gives a date. */
  publishedAt: string | null;
  sourceId: string;
}

/** One attachment linked from an article page. */
export interface Attachment {
  url: string;
  name: string;
}

/** An article page read into its parts. */
export interface Article {
  url: string;
  title: string;
  /** Body text, one paragraph per line. */
  text: string;
  attachments: Attachment[];
  head: { issuer: string | null; number: string | null; date: string | null };
  /** Date from the head block, else from the page. */
  publishedAt: string | null;
}
