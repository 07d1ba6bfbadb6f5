import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSubscriptionInput } from '../src/alerts/subscriptions.js';
import { openDatabase, type Db } from './db.js';
import { deleteSubscriptions, getSubscription, listSubscriptions, muteSubscriptions, saveSubscription } from './subscriptions.js';

const TOPICS = ['rare-earths', 'magnets', 'gallium-germanium'];
let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'exportwatch-subs-'));
  db = openDatabase(join(dir, 'test.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (over: Parameters<typeof parseSubscriptionInput>[0]) => parseSubscriptionInput(over, TOPICS);

describe('subscriptions storage', () => {
  it('saves and reads back every field', () => {
    const now = new Date('2026-05-04T10:00:00Z');
    const { subscription, created } = saveSubscription(
      db,
      input({
        to: 'webhook:https://example.org/h',
        topics: 'rare-earths,magnets',
        keywords: '镓',
        minSeverity: 'high',
        digest: 'fri 17:30 Europe/Berlin',
        mode: 'immediate+weekly',
      }),
      now,
    );
    expect(created).toBe(true);
    expect(subscription).toEqual({
      id: subscription.id,
      destination: 'webhook:https://example.org/h',
      topics: ['magnets', 'rare-earths'],
      keywords: ['镓'],
      minSeverity: 'high',
      mode: 'immediate+weekly',
      digestDay: 5,
      digestHour: 17,
      digestMinute: 30,
      timezone: 'Europe/Berlin',
      mutedUntil: null,
      emptyDigest: true,
      createdAt: '2026-05-04T10:00:00.000Z',
    });
    expect(getSubscription(db, subscription.id)).toEqual(subscription);
    expect(getSubscription(db, 9999)).toBeNull();
  });

  it('updates the same destination + topics + keywords + mode instead of duplicating', () => {
    const a = saveSubscription(db, input({ to: 'console:ops', topics: 'magnets,rare-earths', minSeverity: 'info' }));
    const b = saveSubscription(db, input({ to: 'console:ops', topics: 'rare-earths, magnets', minSeverity: 'critical' }));
    expect(b.created).toBe(false);
    expect(b.subscription.id).toBe(a.subscription.id);
    expect(b.subscription.minSeverity).toBe('critical');
    // another mode, other keywords or another destination: separate subscriptions
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets,rare-earths', mode: 'weekly' }));
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets,rare-earths', keywords: 'NdFeB' }));
    saveSubscription(db, input({ to: 'console:other', topics: 'magnets,rare-earths' }));
    expect(listSubscriptions(db)).toHaveLength(4);
    expect(listSubscriptions(db, { destination: 'console:ops' })).toHaveLength(3);
    expect(listSubscriptions(db).map((s) => s.destination)).toEqual(['console:ops', 'console:ops', 'console:ops', 'console:other']);
  });

  it('deletes all of a destination or one topic', () => {
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets,rare-earths' }));
    saveSubscription(db, input({ to: 'console:ops', topics: 'rare-earths' }));
    saveSubscription(db, input({ to: 'console:ops', topics: 'gallium-germanium' }));
    saveSubscription(db, input({ to: 'console:other', topics: 'rare-earths' }));
    // rare-earths only: [magnets, rare-earths] keeps magnets; [rare-earths] goes (it must not become "everything")
    expect(deleteSubscriptions(db, 'console:ops', 'rare-earths')).toEqual({ deleted: 1, updated: 1 });
    expect(listSubscriptions(db, { destination: 'console:ops' }).map((s) => s.topics)).toEqual([['magnets'], ['gallium-germanium']]);
    // merging into an identical subscription deletes instead of colliding
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets,gallium-germanium' }));
    expect(deleteSubscriptions(db, 'console:ops', 'gallium-germanium')).toEqual({ deleted: 2, updated: 0 });
    expect(listSubscriptions(db, { destination: 'console:ops' }).map((s) => s.topics)).toEqual([['magnets']]);
    expect(deleteSubscriptions(db, 'console:ops')).toEqual({ deleted: 1, updated: 0 });
    expect(listSubscriptions(db).map((s) => s.destination)).toEqual(['console:other']);
  });

  it('mutes and unmutes every subscription of a destination, and keeps a mute across a re-save', () => {
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets' }));
    saveSubscription(db, input({ to: 'console:ops', topics: 'rare-earths' }));
    saveSubscription(db, input({ to: 'console:other' }));
    expect(muteSubscriptions(db, 'console:ops', '2026-06-01T00:00:00Z')).toBe(2);
    expect(listSubscriptions(db, { destination: 'console:ops' }).map((s) => s.mutedUntil)).toEqual(['2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z']);
    expect(listSubscriptions(db, { destination: 'console:other' })[0]?.mutedUntil).toBeNull();
    saveSubscription(db, input({ to: 'console:ops', topics: 'magnets', minSeverity: 'high' }));
    expect(listSubscriptions(db, { destination: 'console:ops' })[0]?.mutedUntil).toBe('2026-06-01T00:00:00.000Z');
    expect(muteSubscriptions(db, 'console:ops', null)).toBe(2);
    expect(listSubscriptions(db, { destination: 'console:ops' }).every((s) => s.mutedUntil === null)).toBe(true);
  });
});
