import { describe, expect, it } from 'vitest';
import { ClockError, clockFromEnv } from './clock.js';
import { ConfigError, loadConfig } from './config.js';

describe('clockFromEnv', () => {
  it('is null (the real clock) without EXPORTWATCH_NOW', () => {
    expect(clockFromEnv({})).toBeNull();
    expect(clockFromEnv({ EXPORTWATCH_NOW: '  ' })).toBeNull();
  });

  it('reads EXPORTWATCH_NOW at the anchor and runs at the given rate from there', () => {
    let real = 1_000_000;
    const clock = clockFromEnv({ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_RATE: '3600', EXPORTWATCH_CLOCK_ANCHOR: '1000000' }, () => real)!;
    expect(clock.now().toISOString()).toBe('2026-11-02T01:00:00.000Z');
    real += 1500;
    expect(clock.now().toISOString()).toBe('2026-11-02T02:30:00.000Z');
    expect(clock.describe()).toMatch(/simulated clock .*2026-11-02T02:30:00.000Z, running 3600× real time/);
  });

  it('continues one timeline across processes that share the anchor', () => {
    const env = { EXPORTWATCH_NOW: '2026-11-02T08:00:00+08:00', EXPORTWATCH_CLOCK_RATE: '60', EXPORTWATCH_CLOCK_ANCHOR: '2026-01-01T00:00:00Z' };
    const anchor = Date.parse('2026-01-01T00:00:00Z');
    const first = clockFromEnv(env, () => anchor + 10_000)!;
    const restarted = clockFromEnv(env, () => anchor + 20_000)!;
    expect(first.now().toISOString()).toBe('2026-11-02T00:10:00.000Z');
    expect(restarted.now().toISOString()).toBe('2026-11-02T00:20:00.000Z');
  });

  it('anchors at the moment it is read by default, at real speed', () => {
    let real = 5_000;
    const clock = clockFromEnv({ EXPORTWATCH_NOW: '2030-01-01T00:00Z' }, () => real)!;
    real += 250;
    expect(clock.now().toISOString()).toBe('2030-01-01T00:00:00.250Z');
  });

  it.each([
    [{ EXPORTWATCH_NOW: '2026-11-02' }, /EXPORTWATCH_NOW must be an ISO-8601 instant with a time zone/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00' }, /with a time zone/],
    [{ EXPORTWATCH_NOW: '2026-13-45T01:00:00Z' }, /EXPORTWATCH_NOW must be/],
    [{ EXPORTWATCH_NOW: 'tomorrow' }, /EXPORTWATCH_NOW must be/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_RATE: '0' }, /EXPORTWATCH_CLOCK_RATE must be a number above 0/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_RATE: 'fast' }, /EXPORTWATCH_CLOCK_RATE/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_RATE: '1e9' }, /at most 1000000/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_ANCHOR: 'yesterday' }, /EXPORTWATCH_CLOCK_ANCHOR must be an ISO-8601 instant/],
    [{ EXPORTWATCH_CLOCK_RATE: '10' }, /need EXPORTWATCH_NOW/],
    [{ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', NODE_ENV: 'production' }, /refusing with NODE_ENV=production/],
  ])('rejects %o with a clear error', (env, message) => {
    expect(() => clockFromEnv(env)).toThrow(ClockError);
    expect(() => clockFromEnv(env)).toThrow(message);
  });
});

describe('the configuration', () => {
  it('carries the simulated clock and the poll tick, and reports a bad setting as a configuration error', () => {
    expect(loadConfig({}).clock).toBeNull();
    expect(loadConfig({}).pollTickSeconds).toBe(15);
    const config = loadConfig({ EXPORTWATCH_NOW: '2026-11-02T01:00:00Z', EXPORTWATCH_CLOCK_RATE: '2', POLL_TICK_SECONDS: '1' });
    expect(config.clock?.now().getUTCFullYear()).toBe(2026);
    expect(config.pollTickSeconds).toBe(1);
    expect(() => loadConfig({ EXPORTWATCH_NOW: 'soon' })).toThrow(ConfigError);
    expect(() => loadConfig({ EXPORTWATCH_NOW: 'soon' })).toThrow(/invalid configuration: EXPORTWATCH_NOW must be/);
    expect(() => loadConfig({ POLL_TICK_SECONDS: '0' })).toThrow(/POLL_TICK_SECONDS/);
  });
});
