import { describe, expect, it } from 'vitest';
import { digestPeriods, localDate, nextDigestAt, zonedTime, zoneOffsetMinutes, type DigestSchedule } from './digest-schedule.js';

const weekly = (timezone: string, digestDay = 1, digestHour = 9, digestMinute = 0): DigestSchedule => ({
  mode: 'weekly',
  digestDay,
  digestHour,
  digestMinute,
  timezone,
});
const daily = (timezone: string, digestHour = 9, digestMinute = 0): DigestSchedule => ({ mode: 'daily', digestDay: 1, digestHour, digestMinute, timezone });
const iso = (d: Date): string => d.toISOString();
const periods = (sub: DigestSchedule, after: string, until: string): Array<[string, string, string]> =>
  digestPeriods(sub, new Date(after), new Date(until)).map((p) => [p.key, iso(p.from), iso(p.sendAt)]);

describe('zone arithmetic with Intl', () => {
  it('reads offsets on both sides of the Berlin and New York changes', () => {
    expect(zoneOffsetMinutes(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe(60);
    expect(zoneOffsetMinutes(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-10-25T00:59:00Z'), 'Europe/Berlin')).toBe(120);
    expect(zoneOffsetMinutes(new Date('2026-10-25T01:00:00Z'), 'Europe/Berlin')).toBe(60);
    expect(zoneOffsetMinutes(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe(-240);
    expect(zoneOffsetMinutes(new Date('2026-01-01T12:00:00Z'), 'Asia/Shanghai')).toBe(480);
  });

  it('moves a time in the spring gap to the next valid minute', () => {
    expect(iso(zonedTime({ year: 2026, month: 3, day: 29 }, 2, 30, 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(iso(zonedTime({ year: 2026, month: 3, day: 29 }, 2, 0, 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(zonedTime({ year: 2026, month: 3, day: 8 }, 2, 15, 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z'); // 03:00 EDT
  });

  it('takes the first occurrence of an ambiguous autumn time', () => {
    expect(iso(zonedTime({ year: 2026, month: 10, day: 25 }, 2, 30, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST, not CET
    expect(iso(zonedTime({ year: 2026, month: 11, day: 1 }, 1, 30, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, not EST
    expect(iso(zonedTime({ year: 2026, month: 4, day: 5 }, 2, 30, 'Pacific/Auckland'))).toBe('2026-04-04T13:30:00.000Z'); // 02:30 NZDT
  });

  it('rejects an unknown zone and impossible schedule values', () => {
    expect(() => digestPeriods(weekly('Mars/Olympus'), new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toThrow(/unknown time zone/);
    expect(() => digestPeriods(weekly('UTC', 7), new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toThrow(/digest day/);
    expect(() => digestPeriods(daily('UTC', 24), new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).toThrow(/digest hour/);
  });
});

describe('digestPeriods', () => {
  it('lists weekly moments in UTC with 7-day periods, excluding `after` and including `until`', () => {
    // 2026-11-09, 16, 23 and 30 are Mondays
    expect(periods(weekly('UTC'), '2026-11-09T09:00:00Z', '2026-11-23T09:00:00Z')).toEqual([
      ['2026-11-16/weekly', '2026-11-09T09:00:00.000Z', '2026-11-16T09:00:00.000Z'],
      ['2026-11-23/weekly', '2026-11-16T09:00:00.000Z', '2026-11-23T09:00:00.000Z'],
    ]);
    expect(periods(weekly('UTC'), '2026-11-09T09:00:00Z', '2026-11-16T08:59:59.999Z')).toEqual([]);
  });

  it('uses local time in Asia/Shanghai (UTC+8, no daylight saving)', () => {
    expect(periods(weekly('Asia/Shanghai'), '2026-11-20T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      ['2026-11-23/weekly', '2026-11-16T01:00:00.000Z', '2026-11-23T01:00:00.000Z'],
      ['2026-11-30/weekly', '2026-11-23T01:00:00.000Z', '2026-11-30T01:00:00.000Z'],
    ]);
  });

  it('keys a moment by its local date even when that is a different UTC date', () => {
    // Monday 07:00 in Shanghai is Sunday 23:00 UTC
    expect(periods(weekly('Asia/Shanghai', 1, 7), '2026-11-27T00:00:00Z', '2026-11-30T00:00:00Z')).toEqual([
      ['2026-11-30/weekly', '2026-11-22T23:00:00.000Z', '2026-11-29T23:00:00.000Z'],
    ]);
  });

  it('keeps 09:00 local across the Berlin spring change: the week before is one hour shorter', () => {
    const [p] = digestPeriods(weekly('Europe/Berlin', 0), new Date('2026-03-28T00:00:00Z'), new Date('2026-03-30T00:00:00Z'));
    expect(p?.key).toBe('2026-03-29/weekly');
    expect(iso(p!.sendAt)).toBe('2026-03-29T07:00:00.000Z'); // 09:00 CEST
    expect(iso(p!.from)).toBe('2026-03-22T08:00:00.000Z'); // 09:00 CET
    expect(p!.to.getTime() - p!.from.getTime()).toBe((7 * 24 - 1) * 3_600_000);
  });

  it('keeps 09:00 local across the Berlin autumn change: the week before is one hour longer', () => {
    const [p] = digestPeriods(weekly('Europe/Berlin', 0), new Date('2026-10-24T00:00:00Z'), new Date('2026-10-26T00:00:00Z'));
    expect(iso(p!.sendAt)).toBe('2026-10-25T08:00:00.000Z'); // 09:00 CET
    expect(iso(p!.from)).toBe('2026-10-18T07:00:00.000Z'); // 09:00 CEST
    expect(p!.to.getTime() - p!.from.getTime()).toBe((7 * 24 + 1) * 3_600_000);
  });

  it('sends a digest scheduled inside the spring gap at 03:00 and one in the autumn overlap once, at its first occurrence', () => {
    expect(periods(daily('Europe/Berlin', 2, 30), '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z')).toEqual([
      ['2026-03-29/daily', '2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z'],
      ['2026-03-30/daily', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
    ]);
    expect(periods(daily('Europe/Berlin', 2, 30), '2026-10-24T12:00:00Z', '2026-10-26T12:00:00Z')).toEqual([
      ['2026-10-25/daily', '2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z'],
      ['2026-10-26/daily', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ]);
  });

  it('handles both New York changes for a weekly Sunday digest at 01:30 and 02:30', () => {
    expect(periods(weekly('America/New_York', 0, 2, 30), '2026-03-01T12:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
      ['2026-03-08/weekly', '2026-03-01T07:30:00.000Z', '2026-03-08T07:00:00.000Z'],
    ]);
    expect(periods(weekly('America/New_York', 0, 1, 30), '2026-10-26T00:00:00Z', '2026-11-02T00:00:00Z')).toEqual([
      ['2026-11-01/weekly', '2026-10-25T05:30:00.000Z', '2026-11-01T05:30:00.000Z'],
    ]);
  });

  it('lists one daily moment per local day, 23 and 25 hours long on the change days', () => {
    const list = digestPeriods(daily('America/New_York', 9), new Date('2026-03-06T00:00:00Z'), new Date('2026-03-10T00:00:00Z'));
    expect(list.map((p) => p.key)).toEqual(['2026-03-06/daily', '2026-03-07/daily', '2026-03-08/daily', '2026-03-09/daily']);
    expect(list.map((p) => (p.to.getTime() - p.from.getTime()) / 3_600_000)).toEqual([24, 24, 23, 24]);
    const autumn = digestPeriods(daily('America/New_York', 9), new Date('2026-10-31T14:00:00Z'), new Date('2026-11-01T15:00:00Z'));
    expect(autumn.map((p) => [p.key, (p.to.getTime() - p.from.getTime()) / 3_600_000])).toEqual([['2026-11-01/daily', 25]]);
  });

  it('gives the same key to weekly and immediate+weekly, and none to immediate', () => {
    const a = digestPeriods(weekly('UTC'), new Date('2026-11-20T00:00:00Z'), new Date('2026-11-30T12:00:00Z'));
    const b = digestPeriods({ ...weekly('UTC'), mode: 'immediate+weekly' }, new Date('2026-11-20T00:00:00Z'), new Date('2026-11-30T12:00:00Z'));
    expect(b).toEqual(a);
    expect(digestPeriods({ ...weekly('UTC'), mode: 'immediate' }, new Date('2026-11-20T00:00:00Z'), new Date('2026-11-30T12:00:00Z'))).toEqual([]);
  });

  it('returns nothing for an empty or reversed range', () => {
    expect(digestPeriods(daily('UTC'), new Date('2026-11-20T00:00:00Z'), new Date('2026-11-20T00:00:00Z'))).toEqual([]);
    expect(digestPeriods(daily('UTC'), new Date('2026-11-21T00:00:00Z'), new Date('2026-11-20T00:00:00Z'))).toEqual([]);
  });
});

describe('nextDigestAt', () => {
  it('finds the next local moment, strictly after the given instant', () => {
    expect(iso(nextDigestAt(weekly('Europe/Berlin'), new Date('2026-11-23T08:00:00Z'))!)).toBe('2026-11-30T08:00:00.000Z');
    expect(iso(nextDigestAt(weekly('Europe/Berlin'), new Date('2026-11-23T07:59:59Z'))!)).toBe('2026-11-23T08:00:00.000Z');
    expect(iso(nextDigestAt(daily('America/New_York', 18, 30), new Date('2026-07-04T00:00:00Z'))!)).toBe('2026-07-04T22:30:00.000Z');
    expect(iso(nextDigestAt(weekly('Asia/Shanghai', 5, 17), new Date('2026-11-23T00:00:00Z'))!)).toBe('2026-11-27T09:00:00.000Z');
  });

  it('is null for immediate subscriptions', () => {
    expect(nextDigestAt({ ...weekly('UTC'), mode: 'immediate' }, new Date('2026-11-23T00:00:00Z'))).toBeNull();
  });

  it('agrees with the local calendar over the 52 Wednesdays of 2026 in Berlin', () => {
    let at = new Date('2026-01-01T00:00:00Z');
    for (let i = 0; i < 52; i++) {
      const next = nextDigestAt(weekly('Europe/Berlin', 3, 7, 45), at)!;
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(next);
      expect(local).toBe('Wed 07:45');
      expect(next.getTime() - at.getTime()).toBeLessThanOrEqual(7 * 86_400_000 + 3_600_000);
      at = next;
    }
    expect(localDate(at, 'Europe/Berlin')).toBe('2026-12-30');
  });
});
