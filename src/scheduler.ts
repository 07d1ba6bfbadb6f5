// Polling on a schedule: a node-cron tick looks at each source's next-poll time, kept in the store,
// so a restart neither floods the sources (polls not yet due wait) nor forgets them (overdue ones run).
import cron, { type ScheduledTask } from 'node-cron';
import { pollSource, processPending, type PollContext, type SourceOutcome } from './pipeline/poll.js';
import type { SourceConfig } from './sources/config.js';
import { getHealth } from '../storage/sources.js';

export interface Scheduler {
  /** Polls every due source once (what each tick does); resolves when they are done. */
  tick(): Promise<SourceOutcome[]>;
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** node-cron expression of the tick; default every 15 seconds. */
  tickCron?: string;
  onOutcome?: (outcome: SourceOutcome) => void;
  /** Runs after every pass (e.g. queueing due digests). */
  onTick?: () => void;
  onError?: (error: unknown) => void;
  /** True while passes should be skipped (the service knows its database is locked by another process). */
  paused?: () => boolean;
}

export function isDue(nextPollAt: string | null, now: Date): boolean {
  return nextPollAt === null || new Date(nextPollAt).getTime() <= now.getTime();
}

export function startScheduler(ctx: PollContext, sources: readonly SourceConfig[], options: SchedulerOptions = {}): Scheduler {
  let running: Promise<SourceOutcome[]> | null = null;
  // The first pass also finishes listings a crash cut off, for sources whose next poll is not due yet.
  let resumed = false;
  const pass = async (): Promise<SourceOutcome[]> => {
    const outcomes: SourceOutcome[] = [];
    try {
      if (!resumed) {
        resumed = true;
        for (const source of sources) {
          if (source.kind !== 'feed' && !isDue(getHealth(ctx.app.db, source.id).nextPollAt, ctx.app.now())) await processPending(ctx, source.id);
        }
      }
      for (const source of sources) {
        if (!isDue(getHealth(ctx.app.db, source.id).nextPollAt, ctx.app.now())) continue;
        const outcome = await pollSource(ctx, source);
        outcomes.push(outcome);
        options.onOutcome?.(outcome);
      }
      options.onTick?.();
    } catch (err) {
      // A pass cut off (e.g. by a locked database) may leave listings half done while their source is not due again
      // for a while: the next pass finishes them first, as after a restart.
      resumed = false;
      options.onError?.(err);
    }
    return outcomes;
  };
  const tick = (): Promise<SourceOutcome[]> => {
    // One pass at a time: a slow source delays the next tick instead of overlapping it.
    if (running) return running;
    if (options.paused?.()) return Promise.resolve([]);
    const current = pass().finally(() => {
      if (running === current) running = null;
    });
    running = current;
    return current;
  };
  const task: ScheduledTask = cron.schedule(options.tickCron ?? '*/15 * * * * *', () => tick(), { noOverlap: true, name: 'exportwatch-poll' });
  return {
    tick,
    async stop() {
      await task.stop();
      await task.destroy();
      if (running) await running;
    },
  };
}
