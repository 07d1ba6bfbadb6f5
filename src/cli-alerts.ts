// The alerting commands of the CLI: subscriptions, subscribe, unsubscribe, mute, deliver, digest, feed parse.
import type { Command } from 'commander';
import { untilStopSignal } from './stop-signal.js';
import { readFileSync, statSync } from 'node:fs';
import { renderText } from '../adapters/console/render.js';
import { canonicalDestination, displayDestination } from './alerts/destination.js';
import { buildDigest } from './alerts/digest-runner.js';
import { createKeywordMatcher } from './alerts/routing.js';
import { formatDigestSchedule, parseMuteUntil, parseSubscriptionInput, SubscriptionError } from './alerts/subscriptions.js';
import type { Subscription } from './alerts/types.js';
import { UsageError } from './commands/input.js';
import { topicIds } from './domain/topics.js';
import { makeOutboxWorker } from './delivery.js';
import { parseFeedText } from './sources/feeds/index.js';
import { fetchFeed } from './sources/feeds/index.js';
import { makeHttpClient } from './watch.js';
import { enqueueDigest } from '../storage/outbox.js';
import { deleteSubscriptions, listSubscriptions, muteSubscriptions, saveSubscription } from '../storage/subscriptions.js';
import type { CliHelpers } from './cli-watch.js';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined
    ? undefined
    : text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

function subscriptionJson(s: Subscription): Record<string, unknown> {
  return { ...s, destination: displayDestination(s.destination), digest: formatDigestSchedule(s) };
}

function subscriptionText(s: Subscription): string {
  const what =
    [s.topics.length ? `topics ${s.topics.join(', ')}` : '', s.keywords.length ? `keywords ${s.keywords.join(', ')}` : ''].filter(Boolean).join('; ') ||
    'everything';
  const digest = s.mode === 'immediate' ? '' : `, digest ${formatDigestSchedule(s)}`;
  const muted = s.mutedUntil ? `, muted until ${s.mutedUntil}` : '';
  return `#${s.id} ${displayDestination(s.destination)} — ${what} — ${s.mode}, ${s.minSeverity} and above${digest}${muted}\n`;
}

/** Subscription input errors are bad usage (exit 2), not runtime failures. */
function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SubscriptionError || (err instanceof Error && err.name === 'DestinationError')) throw new UsageError(err.message);
    throw err;
  }
}

export function registerAlertCommands(program: Command, h: CliHelpers): void {
  program
    .command('subscriptions')
    .description('subscriptions: list')
    .command('list')
    .description('list subscriptions (all, or of one destination)')
    .option('--to <destination>', 'only this destination')
    .option('--json', 'print JSON')
    .action(async (opts: { to?: string; json?: boolean }) => {
      await h.withApp((app) => {
        const destination = opts.to ? usage(() => canonicalDestination(opts.to!)) : undefined;
        const subs = listSubscriptions(app.db, destination ? { destination } : {});
        if (opts.json) h.out(json({ subscriptions: subs.map(subscriptionJson) }));
        else
          h.out(
            subs.length === 0 ? 'No subscriptions. Add one: exportwatch subscribe --to console:me --topics rare-earths\n' : subs.map(subscriptionText).join(''),
          );
      });
    });

  program
    .command('subscribe')
    .description('subscribe a destination to topics and/or keywords')
    .requiredOption('--to <destination>', 'console:<name>, webhook:<url>, slack:<team>/<channel>, teams:<conversation>, teams-workflow:<url>')
    .option('--topics <list>', 'comma-separated topic ids (exportwatch topics lists them)')
    .option('--keywords <list>', 'comma-separated words, English or Chinese, matched through the glossary')
    .option('--min-severity <severity>', 'critical, high, medium, low or info (default info: everything incl. news)')
    .option('--mode <mode>', 'immediate, daily, weekly or immediate+weekly (default immediate)')
    .option('--digest <schedule>', 'digest day, time and zone, e.g. "mon 09:00 Europe/Berlin" (daily: "09:00 UTC")')
    .option('--no-empty-digest', 'skip the digest when a period had nothing')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        to: string;
        topics?: string;
        keywords?: string;
        minSeverity?: string;
        mode?: string;
        digest?: string;
        emptyDigest: boolean;
        json?: boolean;
      }) => {
        await h.withApp((app) => {
          const input = usage(() =>
            parseSubscriptionInput(
              {
                to: opts.to,
                topics: list(opts.topics),
                keywords: list(opts.keywords),
                minSeverity: opts.minSeverity,
                mode: opts.mode,
                digest: opts.digest,
                emptyDigest: opts.emptyDigest,
              },
              topicIds(app.topics),
            ),
          );
          const { subscription, created } = saveSubscription(app.db, input, app.now());
          h.out(
            opts.json
              ? json({ created, subscription: subscriptionJson(subscription) })
              : `${created ? 'Subscribed' : 'Updated'}: ${subscriptionText(subscription)}`,
          );
        });
      },
    );

  program
    .command('unsubscribe')
    .description("remove a destination's subscriptions, or one topic from them")
    .requiredOption('--to <destination>', 'the destination')
    .option('--topic <topic>', 'only this topic')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; topic?: string; json?: boolean }) => {
      await h.withApp((app) => {
        const destination = usage(() => canonicalDestination(opts.to));
        const result = deleteSubscriptions(app.db, destination, opts.topic);
        h.out(opts.json ? json(result) : `Removed ${result.deleted}, updated ${result.updated} subscription(s).\n`);
      });
    });

  program
    .command('mute')
    .description("mute a destination's subscriptions until a time (8h, 3d, 2w, a date) or unmute (off)")
    .requiredOption('--to <destination>', 'the destination')
    .requiredOption('--until <when>', '8h, 3d, 2w, 2026-12-24, an ISO time, or off')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; until: string; json?: boolean }) => {
      await h.withApp((app) => {
        const destination = usage(() => canonicalDestination(opts.to));
        const until = usage(() => parseMuteUntil(opts.until, app.now()));
        const n = muteSubscriptions(app.db, destination, until);
        h.out(opts.json ? json({ muted: n, until }) : until ? `Muted ${n} subscription(s) until ${until}.\n` : `Unmuted ${n} subscription(s).\n`);
      });
    });

  program
    .command('topics')
    .description('the topics subscriptions can name')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      await h.withApp((app) => {
        const ids = topicIds(app.topics);
        h.out(opts.json ? json({ topics: ids }) : `${ids.join('\n')}\n`);
      });
    });

  program
    .command('deliver')
    .description('send due deliveries from the outbox (what serve runs continuously)')
    .option('--once', 'one pass, then exit')
    .option('--json', 'print JSON')
    .action(async (opts: { once?: boolean; json?: boolean }) => {
      const config = h.config();
      await h.withApp(async (app) => {
        const worker = makeOutboxWorker(app, config, { stdout: opts.json ? h.io.stderr : h.io.stdout, env: h.io.env });
        if (opts.once) {
          const result = await worker.runOnce();
          h.out(opts.json ? json(result) : `Sent ${result.sent}, retrying ${result.retried}, failed ${result.failed}.\n`);
          return;
        }
        worker.start();
        h.io.stderr.write('Delivering; Ctrl-C stops.\n');
        await untilStopSignal();
        await worker.stop();
      });
    });

  program
    .command('digest')
    .description("show (--preview) or send now the digest of a destination's digest subscriptions")
    .requiredOption('--to <destination>', 'the destination')
    .option('--preview', 'print it instead of sending')
    .option('--days <n>', 'period length in days (default: 7 for weekly and immediate+weekly, 1 for daily)')
    .option('--json', 'print JSON')
    .action(async (opts: { to: string; preview?: boolean; days?: string; json?: boolean }) => {
      const config = h.config();
      await h.withApp(async (app) => {
        const destination = usage(() => canonicalDestination(opts.to));
        const subs = listSubscriptions(app.db, { destination });
        if (subs.length === 0) throw new UsageError(`${displayDestination(destination)} has no subscriptions`);
        const keywordMatcher = createKeywordMatcher(app.glossary);
        const messages = [];
        for (const sub of subs) {
          const days = opts.days ? Number(opts.days) : sub.mode === 'daily' ? 1 : 7;
          if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError(`--days must be a whole number from 1 to 366`);
          const to = app.now();
          const period = { from: new Date(to.getTime() - days * 86_400_000), to };
          const message = buildDigest(app, sub, period, { keywordMatcher, maxNews: config.digestMaxNews, preview: true });
          if (!message) continue;
          messages.push(message);
          if (!opts.preview) enqueueDigest(app.db, { digestKey: `${sub.id}/manual/${to.toISOString()}`, destination, subscriptionId: sub.id, message }, to);
        }
        if (opts.json) h.out(json({ digests: messages }));
        else if (opts.preview) h.out(messages.map((m) => `${renderText(m)}\n`).join('\n'));
        if (!opts.preview) {
          const result = await makeOutboxWorker(app, config, { stdout: opts.json ? h.io.stderr : h.io.stdout, env: h.io.env }).runOnce();
          if (!opts.json) h.out(`Queued ${messages.length} digest(s); sent ${result.sent}.\n`);
        }
      });
    });

  const feed = program.command('feed').description('industry news feeds');
  feed
    .command('parse')
    .description('print the normalised items of one feed (a file or an http(s) URL)')
    .argument('<file-or-url>')
    .option('--json', 'print JSON')
    .action(async (target: string, opts: { json?: boolean }) => {
      const config = h.config();
      await h.withApp(async (app) => {
        let parsed;
        if (/^https?:\/\//i.test(target)) {
          parsed = await fetchFeed(makeHttpClient(app, config), { id: 'cli', url: target }, { now: app.now(), topics: app.topics });
          if (!parsed) throw new Error(`${target} answered 304 Not Modified`);
        } else {
          let size: number;
          try {
            size = statSync(target).size;
          } catch {
            throw new UsageError(`cannot read ${target}: no such file`);
          }
          if (size > 20 * 1024 * 1024) throw new UsageError(`${target} is larger than 20 MB`);
          const bytes = readFileSync(target);
          let text: string;
          try {
            text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            const declared = /encoding=["']([\w-]+)["']/i.exec(bytes.subarray(0, 200).toString('latin1'))?.[1] ?? 'windows-1252';
            text = new TextDecoder(/^(gbk|gb2312)$/i.test(declared) ? 'gb18030' : declared).decode(bytes);
          }
          parsed = await parseFeedText(text.replace(/^\uFEFF/, ''), { feedId: 'cli', firstSeen: app.now(), topics: app.topics });
        }
        const items = parsed.items.map((i) => ({ title: i.title, link: i.link, guid: i.guid, published: i.published, summary: i.summary, topics: i.topics }));
        if (opts.json) h.out(json({ feed: parsed.feed, items, problems: parsed.problems }));
        else {
          h.out(`${parsed.feed.title || '(untitled feed)'} — ${parsed.feed.link}\n`);
          for (const i of items) h.out(`  ${i.published.slice(0, 10)}  ${i.title}\n      ${i.link}${i.topics.length ? `  [${i.topics.join(', ')}]` : ''}\n`);
          for (const p of parsed.problems) h.out(`  ⚠️ ${p}\n`);
        }
      });
    });
}
