import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dedupeIdentity, dedupeKeys, isGlobalGuid, newsItemId } from './dedupe.js';
import { titleHash } from './normalise.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('dedupe identity', () => {
  it('is the GUID when there is one, else the canonical link, else the title hash', () => {
    const base = { feedId: 'f', title: 'Rare earths', link: 'https://e.com/a?utm_source=x' };
    expect(dedupeIdentity({ ...base, guid: 'https://e.com/?p=12' })).toBe('guid:https://e.com/?p=12');
    expect(dedupeIdentity({ ...base, guid: null })).toBe('link:https://e.com/a');
    expect(dedupeIdentity({ ...base, guid: '  ', link: '' })).toBe(`title:${titleHash('Rare earths')}`);
  });

  it('scopes short GUIDs without a scheme to their feed', () => {
    expect(isGlobalGuid('12345')).toBe(false);
    expect(isGlobalGuid('t3_42babr')).toBe(false);
    expect(isGlobalGuid('tag:github.com,2008:Repository/11167738/v3.9.0')).toBe(true);
    expect(isGlobalGuid('yt:video:abc')).toBe(true);
    expect(isGlobalGuid('8f14e45f-ceea-467f-a0e6-2c1e3f2b6a10')).toBe(true);
    const a = { feedId: 'a', guid: '12345', link: '', title: 'x' };
    expect(dedupeIdentity(a)).toBe('guid:a|12345');
    expect(newsItemId(a)).not.toBe(newsItemId({ ...a, feedId: 'b' }));
    const global = { feedId: 'a', guid: 'urn:uuid:1', link: '', title: 'x' };
    expect(newsItemId(global)).toBe(newsItemId({ ...global, feedId: 'b' }));
  });

  it('ids are the sha256 of the identity, stable across calls', () => {
    const item = { feedId: 'f', guid: null, link: 'https://E.com/a#x', title: 't' };
    expect(newsItemId(item)).toBe(sha('link:https://e.com/a'));
    expect(newsItemId(item)).toBe(newsItemId({ ...item }));
  });

  it('keys: null where the item has none', () => {
    expect(dedupeKeys({ guid: null, link: '', title: ' — ' })).toEqual({ guid: null, guidGlobal: false, canonicalLink: null, titleHash: null });
    expect(dedupeKeys({ guid: ' g ', link: 'https://e.com/?fbclid=1', title: 'T' })).toEqual({
      guid: 'g',
      guidGlobal: false,
      canonicalLink: 'https://e.com/',
      titleHash: titleHash('t'),
    });
  });
});
