// The watching commands of the CLI: poll, backfill, status, notices, quarantine, serve.
import type { Command } from 'commander';
import { untilStopSignal } from './stop-signal.js';
import { Option } from 'commander';
import type { App } from './app.js';
import type { Config } from './config.js';
import { makeOutboxWorker } from './delivery.js';
import { queueDueDigests } from './alerts/digest-runner.js';
import { createKeywordMatcher } from './alerts/routing.js';
import { status, type StatusAnswer } from './commands/status.js';
import { parseDate, UsageError } from './commands/input.js';
import { pollSource, type SourceOutcome } from './pipeline/poll.js';
import { backfill, type BackfillProgress } from './pipeline/backfill.js';
import { approveQuarantine, rejectQuarantine } from './pipeline/quarantine.js';
import { getQuarantine, listQuarantine, type QuarantineRecord } from '../storage/quarantine.js';
import { listNotices } from '../storage/notices.js';
import { makeWatcher } from './watch.js';
import { describeFieldChange } from './alerts/change-message.js';
import { createMetrics } from './metrics.js';
import { startScheduler } from './scheduler.js';
import { startHttp, type HttpHandler } from './server.js';
import { createStoreGuard } from './store-guard.js';
import type { SlackService } from '../adapters/slack/index.js';

export interface CliHelpers {
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv };
  out: (text: string) => void;
  config: () => Config;
  withApp: <T>(fn: (app: App) => T | Promise<T>) => Promise<T>;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function pollText(outcomes: readonly SourceOutcome[]): string {
  const lines: string[] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      lines.push(`✗ ${o.sourceId}: ${o.error?.reason}: ${o.error?.message}`);
      // A list that answered while notice pages did not still shows what was processed.
      if (o.notices.length === 0) continue;
    } else lines.push(`✓ ${o.sourceId}: ${o.listings} listed, ${o.newListings} new, ${o.notices.length} processed`);
    for (const n of o.notices) {
      const regs = n.registers.map((r) => `${r.register} ${r.outcome}${r.summary ? ` ${JSON.stringify(r.summary)}` : ''}`).join('; ');
      lines.push(`    ${n.outcome.padEnd(11)} ${n.noticeKey ?? '-'}  ${n.title}${regs ? `  → ${regs}` : ''}${n.error ? `  (${n.error})` : ''}`);
      for (const f of n.flags) lines.push(`      ⚠️ ${f}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function statusText(s: StatusAnswer): string {
  const free = s.store.freeBytes === null ? '' : `, ${(s.store.freeBytes / 1048576).toFixed(1)} MB free`;
  const lines = [`Database: ${s.store.path} ${s.store.writable ? 'writable' : `NOT WRITABLE (${s.store.fault}: ${s.store.error})`}${free}`, 'Sources:'];
  for (const x of s.sources) {
    const health = x.healthy ? 'ok' : `FAILING ×${x.consecutiveFailures} (${x.lastErrorReason}: ${x.lastError})`;
    lines.push(`  ${x.id.padEnd(24)} ${x.kind.padEnd(24)} ${health}  last success ${x.lastSuccessAt ?? 'never'}  next ${x.nextPollAt ?? 'now'}`);
  }
  lines.push('Registers:');
  for (const r of s.registers) lines.push(`  ${r.id.padEnd(24)} ${String(r.entries).padStart(6)} entries  last change ${r.lastChangeAt ?? 'never'}`);
  if (s.quarantinePending > 0) lines.push(`⚠️ ${s.quarantinePending} change set(s) in quarantine: exportwatch quarantine list`);
  return `${lines.join('\n')}\n`;
}

function quarantineText(q: QuarantineRecord, full: boolean): string {
  const lines = [
    `#${q.id} ${q.status.toUpperCase()} ${q.register} — ${q.reason} — notice ${q.noticeKey ?? '-'} — ${q.changes.length} change(s), as of ${q.asOf}`,
  ];
  if (full) {
    for (const c of q.changes) {
      lines.push(`  ${c.kind.padEnd(9)} ${c.fromKey ? `${c.fromKey} → ` : ''}${c.key}`);
      for (const f of c.fieldChanges) lines.push(`      ${describeFieldChange(f)}`);
    }
    for (const u of q.unparsed) lines.push(`  ⚠️ [${u.clause}] ${u.reason}: ${u.text}`);
  }
  return `${lines.join('\n')}\n`;
}

function quarantineId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`quarantine id must be a positive whole number, got "${text}"`);
  return id;
}

function progressPrinter(stream: NodeJS.WritableStream): (p: BackfillProgress) => void {
  const tty = (stream as NodeJS.WriteStream).isTTY === true;
  return (p) => {
    const of = p.total ? `/${p.total}` : '';
    if (tty) {
      const width = 24;
      const filled = p.total ? Math.round((p.step / p.total) * width) : 0;
      stream.write(`\r${p.source} ${p.phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.step}${of} · ${p.listings} listings   `);
    } else {
      stream.write(`${p.source}: ${p.phase} ${p.step}${of}, ${p.listings} listings\n`);
    }
  };
}

export function registerWatchCommands(program: Command, h: CliHelpers): void {
  program
    .command('poll')
    .description('poll the configured sources once: discover notices, apply them, print what changed')
    .option('--once', 'one pass (required; the service polls on a schedule: exportwatch serve)')
    .option('--source <id>', 'only this source')
    .option('--json', 'print JSON (alerts are then not printed)')
    .action(async (opts: { once?: boolean; source?: string; json?: boolean }) => {
      if (!opts.once) throw new UsageError('poll needs --once (to poll on a schedule, run exportwatch serve)');
      const config = h.config();
      await h.withApp(async (app) => {
        const watcher = makeWatcher(app, config);
        const selected = opts.source ? watcher.sources.filter((s) => s.id === opts.source) : watcher.sources;
        if (opts.source && selected.length === 0) throw new UsageError(`no source "${opts.source}" in ${config.sourcesFile}`);
        // Nothing could run: exit 1. A source that runs and fails is reported in the output and in status (exit 0).
        if (selected.length === 0) throw new Error(`no sources are configured in ${config.sourcesFile}`);
        const outcomes: SourceOutcome[] = [];
        for (const source of selected) outcomes.push(await pollSource(watcher.context, source));
        if (opts.json) {
          // Alerts stay in the outbox for `deliver` or `serve`: standard output is the JSON alone.
          h.out(json({ sources: outcomes }));
          return;
        }
        // One pass of the service: the alerts recorded by this poll are delivered (console ones print here).
        await makeOutboxWorker(app, config, { stdout: h.io.stdout, env: h.io.env }).runOnce();
        h.out(pollText(outcomes));
      });
    });

  program
    .command('backfill')
    .description('walk the list pages back in time to rebuild the registers (resumable)')
    .requiredOption('--since <year>', 'first year to cover, e.g. 2020')
    .option('--source <id>', 'only this source')
    .option('--max-pages <n>', 'most list pages per source (default 50)')
    .option('--json', 'print JSON')
    .action(async (opts: { since: string; source?: string; maxPages?: string; json?: boolean }) => {
      const since = Number(opts.since);
      const thisYear = (h.config().clock?.now() ?? new Date()).getUTCFullYear();
      if (!Number.isInteger(since) || since < 2000 || since > thisYear)
        throw new UsageError(`--since must be a year from 2000 to ${thisYear}, got "${opts.since}"`);
      const maxPages = opts.maxPages === undefined ? 50 : Number(opts.maxPages);
      if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 1000) throw new UsageError(`--max-pages must be a whole number from 1 to 1000`);
      const config = h.config();
      await h.withApp(async (app) => {
        const watcher = makeWatcher(app, config);
        const selected = opts.source ? watcher.sources.filter((s) => s.id === opts.source) : watcher.sources;
        if (selected.length === 0) throw new UsageError(`no source "${opts.source}" in ${config.sourcesFile}`);
        const outcomes = await backfill(watcher.context, selected, { since, maxPages, onProgress: progressPrinter(h.io.stderr) });
        if (!opts.json) await makeOutboxWorker(app, config, { stdout: h.io.stdout, env: h.io.env }).runOnce();
        if ((h.io.stderr as NodeJS.WriteStream).isTTY) h.io.stderr.write('\n');
        if (opts.json) h.out(json({ sources: outcomes.map((o) => ({ ...o, notices: o.notices.length })) }));
        else
          for (const o of outcomes)
            h.out(
              `${o.source}: ${o.pages} page(s), ${o.listings} new listing(s), ${o.notices.length} notice(s) processed, stopped by ${o.stoppedBy}${o.error ? `: ${o.error}` : ''}\n`,
            );
      });
    });

  program
    .command('status')
    .description("each source's health, last and next poll; each register's size and last change")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const config = h.config();
      await h.withApp((app) => {
        const s = status(app, makeWatcher(app, config).sources);
        h.out(
          opts.json
            ? json({
                store: s.store,
                sources: s.sources.map((x) => ({
                  id: x.id,
                  kind: x.kind,
                  lastSuccessAt: x.lastSuccessAt,
                  lastError: x.lastError,
                  lastErrorReason: x.lastErrorReason,
                  consecutiveFailures: x.consecutiveFailures,
                  nextPollAt: x.nextPollAt,
                })),
                registers: s.registers,
                quarantinePending: s.quarantinePending,
              })
            : statusText(s),
        );
      });
    });

  program
    .command('notices')
    .description('the notices seen: key, title, kind, dates, every URL, flags')
    .option('--since <date>', 'published on or after this date (YYYY-MM-DD)')
    .option('--flagged', 'only notices flagged for review or quarantined')
    .option('--json', 'print JSON')
    .action(async (opts: { since?: string; flagged?: boolean; json?: boolean }) => {
      const since = parseDate(opts.since, '--since');
      await h.withApp((app) => {
        const notices = listNotices(app.db, { since, flagged: opts.flagged });
        if (opts.json) {
          h.out(
            json({
              notices: notices.map((n) => ({
                key: n.key,
                title: n.title,
                kind: n.kind,
                status: n.status,
                publishedAt: n.publishedAt,
                effectiveAt: n.effectiveAt,
                urls: n.urls,
                flags: n.flags,
              })),
            }),
          );
          return;
        }
        if (notices.length === 0) h.out('No notices recorded.\n');
        for (const n of notices) {
          h.out(`${n.publishedAt ?? '----------'}  ${n.key.padEnd(22)} ${(n.kind ?? '-').padEnd(26)} ${n.status.padEnd(11)} ${n.title}\n`);
          for (const url of n.urls) h.out(`      ${url}\n`);
          for (const f of n.flags) h.out(`      ⚠️ ${f}\n`);
        }
      });
    });

  const quarantine = program.command('quarantine').description('change sets held back by a guard: list, show, approve, reject');
  quarantine
    .command('list')
    .option('--all', 'include decided ones')
    .option('--json', 'print JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      await h.withApp((app) => {
        const items = listQuarantine(app.db, opts.all ? undefined : 'pending');
        if (opts.json) h.out(json({ quarantine: items.map((q) => ({ ...q, changes: q.changes.length })) }));
        else h.out(items.length === 0 ? 'Nothing in quarantine.\n' : items.map((q) => quarantineText(q, false)).join(''));
      });
    });
  quarantine
    .command('show')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (idText: string, opts: { json?: boolean }) => {
      const id = quarantineId(idText);
      await h.withApp((app) => {
        const q = getQuarantine(app.db, id);
        if (!q) throw new UsageError(`there is no quarantined change set ${id}`);
        h.out(opts.json ? json(q) : quarantineText(q, true));
      });
    });
  for (const [name, decide] of [
    ['approve', approveQuarantine],
    ['reject', rejectQuarantine],
  ] as const) {
    quarantine
      .command(name)
      .argument('<id>')
      .option('--json', 'print JSON')
      .action(async (idText: string, opts: { json?: boolean }) => {
        const id = quarantineId(idText);
        await h.withApp((app) => {
          const q = decide(app, id);
          h.out(opts.json ? json({ id: q.id, status: q.status, register: q.register, changes: q.changes.length }) : `Change set ${q.id} ${q.status}.\n`);
        });
      });
  }

  program
    .command('serve')
    .description('the long-running service: scheduled polling, /healthz and /metrics; alerts print to the console')
    .addOption(new Option('--port <port>', 'HTTP port (default $PORT, else 3000)'))
    .action(async (opts: { port?: string }) => {
      const config = h.config();
      const port = opts.port === undefined ? config.port : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${opts.port}"`);
      await h.withApp(async (app) => {
        // Storage faults: a locked database is waited out; a full or read-only one stops the service (exit 1).
        const guard = createStoreGuard(app, config.databasePath, (line) => h.io.stderr.write(`${line}\n`));
        guard.checkAtStart();
        const watcher = makeWatcher(app, config);
        const metrics = createMetrics();
        // Slack (when SLACK_* is set): /slack/events on this port, or Socket Mode; refuses to start on a bad token.
        const slack: SlackService | null = config.slack
          ? // Bolt and botbuilder are loaded only when their platform is configured: a plain start stays fast.
            await (
              await import('../adapters/slack/index.js')
            ).startSlackService({ app, config: config.slack, sources: watcher.sources, digestMaxNews: config.digestMaxNews })
          : null;
        // Teams (when MICROSOFT_APP_ID or the development mode is set): the bot on /api/messages of this port.
        const teams = config.teams
          ? (await import('../adapters/teams/index.js')).startTeamsService({
              app,
              config: config.teams,
              sources: watcher.sources,
              digestMaxNews: config.digestMaxNews,
            })
          : null;
        const handlers: HttpHandler[] = [...(slack ? [slack.handle] : []), ...(teams ? [teams.handle] : [])];
        const http = await startHttp(app, watcher.sources, metrics, port, undefined, { handlers });
        // The Slack delivery adapter reads installations from this store (the --db option included).
        let lastWorkerError = '';
        const worker = makeOutboxWorker(
          app,
          config,
          { stdout: h.io.stdout, env: { ...h.io.env, DATABASE_PATH: config.databasePath } },
          {
            onError: (err) => {
              const text = (err as Error).message;
              if (!guard.report(err) && text !== lastWorkerError) h.io.stderr.write(`delivery worker: ${text}\n`);
              lastWorkerError = text;
            },
            paused: guard.locked,
          },
        );
        const keywordMatcher = createKeywordMatcher(app.glossary);
        const digests = (): void => {
          try {
            queueDueDigests(app, { keywordMatcher, maxNews: config.digestMaxNews });
          } catch (err) {
            if (!guard.report(err)) h.io.stderr.write(`digests failed: ${(err as Error).message}\n`);
          }
        };
        // A digest missed while the service was down is queued once, now.
        digests();
        worker.start();
        const scheduler = startScheduler(watcher.context, watcher.sources, {
          tickCron: `*/${config.pollTickSeconds} * * * * *`,
          onOutcome: (o) => {
            metrics.observe(o);
            if (!o.ok) h.io.stderr.write(`source ${o.sourceId} failed: ${o.error?.reason}: ${o.error?.message}\n`);
          },
          onTick: digests,
          onError: (err) => {
            if (!guard.report(err)) h.io.stderr.write(`poll failed: ${(err as Error).message}\n`);
          },
          paused: guard.locked,
        });
        // After a lock, the cut-off work is taken up at once rather than at the next tick.
        guard.onRecovered(() => void scheduler.tick());
        const slackLine = !slack
          ? ''
          : slack.mode === 'socket'
            ? ' Slack: Socket Mode.'
            : ` Slack: /slack/events${config.slack?.auth === 'oauth' ? ', /slack/install' : ''}${slack.teamId ? ` (workspace ${slack.teamId})` : ''}.`;
        const teamsLine = !teams ? '' : ` Teams: /api/messages${teams.authenticated ? '' : ' (UNAUTHENTICATED development mode)'}.`;
        // Listen for SIGINT/SIGTERM before saying we are ready, so a stop right after start is a clean stop.
        const stopped = untilStopSignal();
        h.io.stderr.write(
          `ExportWatch serving on port ${http.port} (/healthz, /metrics); ${watcher.sources.length} source(s) from ${config.sourcesFile}; alerts print here.${slackLine}${teamsLine} Ctrl-C stops.\n`,
        );
        if (config.clock) h.io.stderr.write(`WARNING: ${config.clock.describe()}.\n`);
        void scheduler.tick();
        const fault = await Promise.race([stopped.then(() => null), guard.fatal]);
        h.io.stderr.write(fault ? 'Stopping: the database cannot take writes (the reason follows)…\n' : 'Stopping: finishing the current poll…\n');
        await scheduler.stop();
        await worker.stop();
        await http.close();
        await slack?.stop();
        await teams?.stop();
        guard.stop();
        // Exit status 1 with the fault's line: the database, the cause and what to do.
        if (fault) throw fault;
      });
    });
}
