import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  formatDigestSchedule,
  MAX_KEYWORDS,
  parseDigestSchedule,
  parseMuteUntil,
  parseSubscriptionInput,
  SubscriptionError,
} from './subscriptions.js';

const TOPICS = ['rare-earths', 'magnets', 'gallium-germanium', 'semiconductors'];

describe('parseDigestSchedule', () => {
  it('reads day, time and zone', () => {
    expect(parseDigestSchedule('mon 09:00 Europe/Berlin')).toEqual({ day: 1, hour: 9, minute: 0, timezone: 'Europe/Berlin' });
    expect(parseDigestSchedule('Friday 17:30 america/new_york')).toEqual({ day: 5, hour: 17, minute: 30, timezone: 'America/New_York' });
    expect(parseDigestSchedule('sun 7:05')).toEqual({ day: 0, hour: 7, minute: 5, timezone: 'UTC' });
  });

  it('has no day for a daily schedule', () => {
    expect(parseDigestSchedule('09:00 UTC')).toEqual({ day: null, hour: 9, minute: 0, timezone: 'UTC' });
    expect(parseDigestSchedule('23:59 Asia/Shanghai')).toEqual({ day: null, hour: 23, minute: 59, timezone: 'Asia/Shanghai' });
  });

  it('defaults to mon 09:00 UTC', () => {
    expect(parseDigestSchedule()).toEqual({ day: 1, hour: 9, minute: 0, timezone: 'UTC' });
    expect(parseDigestSchedule('  ')).toEqual({ day: 1, hour: 9, minute: 0, timezone: 'UTC' });
  });

  it('refuses bad days, times and zones', () => {
    expect(() => parseDigestSchedule('someday 09:00')).toThrow(/not a day of the week/);
    expect(() => parseDigestSchedule('mon')).toThrow(/has no time/);
    expect(() => parseDigestSchedule('mon 24:00')).toThrow(/not a time of day/);
    expect(() => parseDigestSchedule('mon 09:60')).toThrow(/not a time of day/);
    expect(() => parseDigestSchedule('mon 09:00 Mars/Olympus')).toThrow(/not an IANA time zone/);
    expect(() => parseDigestSchedule('mon 09:00 +01:00')).toThrow(/not an IANA time zone/);
    expect(() => parseDigestSchedule('mon 09:00 UTC extra')).toThrow(/unexpected "extra"/);
    expect(() => parseDigestSchedule('mon 09:00 Mars/Olympus')).toThrow(SubscriptionError);
  });

  it('writes schedules back', () => {
    const base = { digestDay: 1, digestHour: 9, digestMinute: 5, timezone: 'Europe/Berlin' };
    expect(formatDigestSchedule({ ...base, mode: 'weekly' })).toBe('mon 09:05 Europe/Berlin');
    expect(formatDigestSchedule({ ...base, mode: 'immediate+weekly' })).toBe('mon 09:05 Europe/Berlin');
    expect(formatDigestSchedule({ ...base, mode: 'daily' })).toBe('09:05 Europe/Berlin');
    expect(formatDigestSchedule({ ...base, mode: 'immediate' })).toBe('');
  });

  it('canonicalises zone spelling', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('EUROPE/BERLIN')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Not/AZone')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('parseSubscriptionInput', () => {
  it('fills defaults', () => {
    expect(parseSubscriptionInput({ to: 'console:ops' }, TOPICS)).toEqual({
      destination: 'console:ops',
      topics: [],
      keywords: [],
      minSeverity: 'info',
      mode: 'immediate',
      digestDay: 1,
      digestHour: 9,
      digestMinute: 0,
      timezone: 'UTC',
      emptyDigest: true,
    });
  });

  it('reads comma-separated lists, deduplicates and sorts them', () => {
    const s = parseSubscriptionInput(
      { to: 'webhook:https://Example.org/h', topics: 'magnets, Rare-Earths,magnets', keywords: ['镓，锗、gallium', ' Gallium ', ''] },
      TOPICS,
    );
    expect(s.destination).toBe('webhook:https://example.org/h');
    expect(s.topics).toEqual(['magnets', 'rare-earths']);
    expect(s.keywords).toEqual(['gallium', '锗', '镓'].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect(s.keywords).toHaveLength(3);
  });

  it('names the known topics when one is unknown', () => {
    expect(() => parseSubscriptionInput({ to: 'console:ops', topics: 'rare-earth' }, TOPICS)).toThrow(
      'unknown topic "rare-earth"; known topics: gallium-germanium, magnets, rare-earths, semiconductors',
    );
    expect(() => parseSubscriptionInput({ to: 'console:ops', topics: 'x' }, [])).toThrow(/no topics are defined/);
  });

  it('bounds keywords and strips control characters', () => {
    const many = Array.from({ length: MAX_KEYWORDS + 1 }, (_, i) => `kw${i}`);
    expect(() => parseSubscriptionInput({ to: 'console:ops', keywords: many }, TOPICS)).toThrow(/at most 20 keywords/);
    expect(parseSubscriptionInput({ to: 'console:ops', keywords: many.slice(0, 20) }, TOPICS).keywords).toHaveLength(20);
    expect(() => parseSubscriptionInput({ to: 'console:ops', keywords: 'x'.repeat(61) }, TOPICS)).toThrow(/longer than 60/);
    expect(parseSubscriptionInput({ to: 'console:ops', keywords: '稀'.repeat(60) }, TOPICS).keywords).toEqual(['稀'.repeat(60)]);
    expect(parseSubscriptionInput({ to: 'console:ops', keywords: 'rare\u0000 \u202eearth\u001b[31m' }, TOPICS).keywords).toEqual(['rare earth[31m']);
  });

  it('validates severity and mode', () => {
    expect(parseSubscriptionInput({ to: 'console:ops', minSeverity: 'HIGH' }, TOPICS).minSeverity).toBe('high');
    expect(() => parseSubscriptionInput({ to: 'console:ops', minSeverity: 'urgent' }, TOPICS)).toThrow(/unknown severity "urgent"; use one of critical, high/);
    expect(parseSubscriptionInput({ to: 'console:ops', mode: 'Immediate+Weekly' }, TOPICS).mode).toBe('immediate+weekly');
    expect(() => parseSubscriptionInput({ to: 'console:ops', mode: 'monthly' }, TOPICS)).toThrow(/unknown mode "monthly"/);
  });

  it('infers the mode from the digest schedule and checks they agree', () => {
    expect(parseSubscriptionInput({ to: 'console:ops', digest: 'mon 09:00 Europe/Berlin' }, TOPICS)).toMatchObject({
      mode: 'weekly',
      digestDay: 1,
      digestHour: 9,
      timezone: 'Europe/Berlin',
    });
    expect(parseSubscriptionInput({ to: 'console:ops', digest: '18:15 Asia/Shanghai' }, TOPICS)).toMatchObject({
      mode: 'daily',
      digestHour: 18,
      digestMinute: 15,
    });
    expect(parseSubscriptionInput({ to: 'console:ops', mode: 'weekly', digest: '08:00 UTC' }, TOPICS)).toMatchObject({
      mode: 'weekly',
      digestDay: 1,
      digestHour: 8,
    });
    expect(parseSubscriptionInput({ to: 'console:ops', mode: 'weekly' }, TOPICS)).toMatchObject({ digestDay: 1, digestHour: 9, timezone: 'UTC' });
    expect(() => parseSubscriptionInput({ to: 'console:ops', mode: 'immediate', digest: 'mon 09:00' }, TOPICS)).toThrow(/needs mode daily, weekly/);
    expect(() => parseSubscriptionInput({ to: 'console:ops', mode: 'daily', digest: 'mon 09:00' }, TOPICS)).toThrow(/daily digest takes no day/);
  });

  it('turns destination errors into SubscriptionError', () => {
    expect(() => parseSubscriptionInput({ to: 'nowhere' }, TOPICS)).toThrow(SubscriptionError);
    expect(() => parseSubscriptionInput({ to: 'slack:general' }, TOPICS)).toThrow(/slack:<team id>\/<channel id>/);
  });
});

describe('parseMuteUntil', () => {
  const now = new Date('2026-05-04T10:00:00Z');
  it('reads durations, dates and date-times', () => {
    expect(parseMuteUntil('8h', now)).toBe('2026-05-04T18:00:00.000Z');
    expect(parseMuteUntil('3d', now)).toBe('2026-05-07T10:00:00.000Z');
    expect(parseMuteUntil('2w', now)).toBe('2026-05-18T10:00:00.000Z');
    expect(parseMuteUntil('30m', now)).toBe('2026-05-04T10:30:00.000Z');
    expect(parseMuteUntil('2026-05-10', now)).toBe('2026-05-10T00:00:00.000Z');
    expect(parseMuteUntil('2026-05-10T09:00+02:00', now)).toBe('2026-05-10T07:00:00.000Z');
    expect(parseMuteUntil('off', now)).toBeNull();
  });
  it('refuses the past, too long and nonsense', () => {
    expect(() => parseMuteUntil('2026-05-01', now)).toThrow(/past/);
    expect(() => parseMuteUntil('400d', now)).toThrow(/366 days/);
    expect(() => parseMuteUntil('2026-02-30', now)).toThrow(/not a date/);
    expect(() => parseMuteUntil('tomorrow', now)).toThrow(/duration/);
  });
});

describe('parseDigestSchedule and object keys', () => {
  it('refuses inherited property names as days', () => {
    expect(() => parseDigestSchedule('constructor 09:00 UTC')).toThrow();
    expect(() => parseDigestSchedule('__proto__ 09:00 UTC')).toThrow();
  });
});
