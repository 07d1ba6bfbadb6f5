// A simulated clock, for tests and demonstrations only (issue 7: "an injectable clock"). With EXPORTWATCH_NOW set,
// the time the service works with — when sources are due, when digests and deadlines fall, the time recorded on
// events, notices and deliveries — reads EXPORTWATCH_NOW at the anchor instant and then runs EXPORTWATCH_CLOCK_RATE
// times faster than real time. The anchor (EXPORTWATCH_CLOCK_ANCHOR) defaults to the moment the process read the
// setting; giving it explicitly lets a restarted process continue the same simulated timeline, so several days can be
// compressed into minutes across restarts. Security checks (Slack request timestamps, replay windows, tokens) and
// delivery spacing keep using the real clock.

export class ClockError extends Error {}

export interface SimulatedClock {
  now: () => Date;
  /** One line for the start-up banner: where the clock stands and how fast it runs. */
  describe: () => string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const MAX_RATE = 1_000_000;

function instant(name: string, text: string): number {
  const ms = INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new ClockError(`${name} must be an ISO-8601 instant with a time zone, such as 2026-11-02T01:00:00Z; got "${text.slice(0, 40)}"`);
  return ms;
}

const blank = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/**
 * The simulated clock described by the environment, or null when EXPORTWATCH_NOW is unset (the real clock).
 * Throws ClockError on a malformed setting, on a rate or anchor without EXPORTWATCH_NOW, and under NODE_ENV=production.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv, realNow: () => number = Date.now): SimulatedClock | null {
  const start = blank(env.EXPORTWATCH_NOW);
  const rateText = blank(env.EXPORTWATCH_CLOCK_RATE);
  const anchorText = blank(env.EXPORTWATCH_CLOCK_ANCHOR);
  if (start === undefined) {
    if (rateText !== undefined || anchorText !== undefined) throw new ClockError('EXPORTWATCH_CLOCK_RATE and EXPORTWATCH_CLOCK_ANCHOR need EXPORTWATCH_NOW');
    return null;
  }
  if (blank(env.NODE_ENV)?.toLowerCase() === 'production')
    throw new ClockError('EXPORTWATCH_NOW simulates the clock for tests; refusing with NODE_ENV=production');
  const startMs = instant('EXPORTWATCH_NOW', start);
  const rate = rateText === undefined ? 1 : Number(rateText);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE) {
    throw new ClockError(`EXPORTWATCH_CLOCK_RATE must be a number above 0 and at most ${MAX_RATE} (simulated seconds per real second)`);
  }
  let anchorMs: number;
  if (anchorText === undefined) anchorMs = realNow();
  else if (/^\d{1,15}$/.test(anchorText)) anchorMs = Number(anchorText);
  else anchorMs = instant('EXPORTWATCH_CLOCK_ANCHOR', anchorText);
  const now = (): Date => new Date(Math.floor(startMs + (realNow() - anchorMs) * rate));
  return {
    now,
    describe: () => `simulated clock (EXPORTWATCH_NOW, tests only): it is ${now().toISOString()}${rate === 1 ? '' : `, running ${rate}× real time`}`,
  };
}
