// Dedupe keys of a news item. Feeds repeat each other and themselves, so an item is known by three
// keys: its GUID, its link with tracking parameters removed, and a hash of its normalised title. The
// item's id is the sha256 of its strongest key (GUID, else canonical link, else title hash).
//
// A GUID is meant to be globally unique, but many feeds use bare numbers ("12345") that collide across
// feeds. Such weak GUIDs only identify an item within its own feed: their identity carries the feed id.
import { createHash } from 'node:crypto';
import { canonicalLink, normaliseTitle, titleHash } from './normalise.js';

/** A GUID that can identify an item across feeds: it has a URI scheme (http:, urn:, tag:, yt:, …) or is at least 16 characters long. */
export function isGlobalGuid(guid: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\S/i.test(guid) || guid.length >= 16;
}

export interface DedupeKeys {
  guid: string | null;
  /** Whether `guid` identifies the item across feeds (else only within `feedId`). */
  guidGlobal: boolean;
  canonicalLink: string | null;
  /** Null when the title normalises to nothing. */
  titleHash: string | null;
}

/** The three dedupe keys of an item (null where it has no such key). */
export function dedupeKeys(item: { guid: string | null; link: string; title: string }): DedupeKeys {
  const guid = item.guid !== null && item.guid.trim() !== '' ? item.guid.trim() : null;
  const link = item.link.trim() === '' ? null : canonicalLink(item.link);
  return {
    guid,
    guidGlobal: guid !== null && isGlobalGuid(guid),
    canonicalLink: link,
    titleHash: normaliseTitle(item.title) === '' ? null : titleHash(item.title),
  };
}

/** The identity an item's id is derived from: `guid:…` (weak GUIDs as `guid:<feed>|…`), else `link:…`, else `title:…`. */
export function dedupeIdentity(item: { feedId: string; guid: string | null; link: string; title: string }): string {
  const keys = dedupeKeys(item);
  if (keys.guid !== null) return keys.guidGlobal ? `guid:${keys.guid}` : `guid:${item.feedId}|${keys.guid}`;
  if (keys.canonicalLink !== null) return `link:${keys.canonicalLink}`;
  return `title:${keys.titleHash ?? ''}`;
}

/** The stable id of an item: sha256 (hex) of its dedupe identity. */
export function newsItemId(item: { feedId: string; guid: string | null; link: string; title: string }): string {
  return createHash('sha256').update(dedupeIdentity(item), 'utf8').digest('hex');
}
