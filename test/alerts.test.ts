// Issue 4 end to end: a rare-earths subscription on a signed webhook gets a catalogue change and a
// rare-earth news item immediately, exactly once despite a 500 and a 429, and both appear in its
// weekly digest with the deadlines section. Digests are queued once per period, also after downtime.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp } from '../src/app.js';
import { replayTimeline } from '../src/demo.js';
import { queueDueDigests } from '../src/alerts/digest-runner.js';
import { createKeywordMatcher } from '../src/alerts/routing.js';
import { parseSubscriptionInput } from '../src/alerts/subscriptions.js';
import { topicIds } from '../src/domain/topics.js';
import { saveSubscription } from '../storage/subscriptions.js';
import { verifyWebhookSignature } from '../adapters/webhook/index.js';
import { startFakeMofcom, type FakeMofcom } from './fakes/mofcom.js';
import { runCli, tempDir } from './helpers.js';

const DAY = join(import.meta.dirname, 'fixtures', 'mofcom-day');
const SECRET = 'test-secret-0123456789';
const files = ['01-2025-61-dual-use-rare-earth-technology.html', '02-2025-70-suspension.html', '03-2026-94-tech-catalogue-adjustment.html'];
const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Mining.com rare earth</title><link>https://www.mining.com/tag/rare-earth/</link>
<item><title>China tightens rare earth magnet export checks</title><link>https://www.mining.com/china-rare-earth-magnets/?utm_source=rss</link>
<guid isPermaLink="false">https://www.mining.com/?p=1001</guid><pubDate>Sat, 28 Nov 2026 08:00:00 GMT</pubDate>
<description>&lt;p&gt;NdFeB magnet makers face new licence checks.&lt;/p&gt;</description></item>
<item><title>Copper prices rise on supply worries</title><link>https://www.mining.com/copper-prices/</link>
<guid isPermaLink="false">https://www.mining.com/?p=1002</guid><pubDate>Sat, 28 Nov 2026 09:00:00 GMT</pubDate><description>Copper.</description></item>
</channel></rss>`;

interface Received {
  key: string;
  body: { deliveryId: string; message: { title: string; sections: Array<{ heading: string; items: Array<{ text: string }> }> }; text: string };
  valid: boolean;
}

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let receiver: Server;
let received: Received[];
let misbehaviour: Array<'500' | '429'>;
let env: NodeJS.ProcessEnv;
let hook: string;

/** The catalogue as after the demo's 2025 step: the state the day's catalogue notice applies to. */
function seedCatalogue(dbPath: string): void {
  const app = openApp({ databasePath: dbPath });
  try {
    replayTimeline(app);
  } finally {
    app.close();
  }
}

beforeEach(async () => {
  dir = tempDir();
  const db = join(dir.path, 'alerts.db');
  seedCatalogue(db);
  const documents = files.map((f, i) => ({ path: `/article/gndt/202611/${3001 + i}.html`, html: readFileSync(join(DAY, f), 'utf8') }));
  documents.push({ path: '/feed/rare-earth.xml', html: FEED, contentType: 'application/rss+xml' } as never);
  const titles = ['商务部公告2025年第61号', '商务部公告2025年第70号', '商务部 科技部公告2026年第94号'];
  const dates = ['2025-10-09', '2025-11-07', '2026-11-02'];
  fake = await startFakeMofcom({
    listings: files.map((_, i) => ({ title: titles[i]!, path: `/article/gndt/202611/${3001 + i}.html`, date: dates[i]!, column: 9 })).reverse(),
    documents,
  });
  received = [];
  misbehaviour = ['500', '429'];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const trouble = misbehaviour.shift();
      if (trouble === '500') return void res.writeHead(500).end('oops');
      if (trouble === '429') return void res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      const body = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-exportwatch-timestamp']);
      const valid = verifyWebhookSignature(SECRET, ts, body, String(req.headers['x-exportwatch-signature']), new Date());
      received.push({ key: String(req.headers['x-exportwatch-delivery']), body: JSON.parse(body) as Received['body'], valid });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `msg-${received.length}` }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const sources = join(dir.path, 'sources.json');
  writeFileSync(
    sources,
    JSON.stringify({
      sources: [
        { id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '15m' },
        { id: 'mining-rare-earth', kind: 'feed', url: `${fake.baseUrl}/feed/rare-earth.xml`, every: '1h', name: 'Mining.com' },
      ],
    }),
  );
  env = {
    DATABASE_PATH: db,
    SOURCES_FILE: sources,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    WEBHOOK_SECRET: SECRET,
    URL_ALLOWLIST: '127.0.0.1',
    DELIVERY_RETRY_BASE_MS: '1',
    OPERATOR_DESTINATIONS: 'console:operator',
  };
});

afterEach(async () => {
  await fake.close();
  await new Promise<void>((r) => receiver.close(() => r()));
  dir.remove();
});

const cli = (...args: string[]) => runCli(args, env);

async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const r = JSON.parse((await cli('deliver', '--once', '--json')).stdout) as { sent: number; retried: number };
    const pending = JSON.parse((await cli('export', '--what', 'deliveries', '--json')).stdout).deliveries.filter(
      (d: { status: string }) => d.status !== 'sent' && d.status !== 'failed',
    );
    if (pending.length === 0 && r.retried === 0) return;
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('a rare-earths subscription on a webhook', () => {
  it('gets the catalogue change and the news immediately, exactly once, and both in its weekly digest with deadlines', async () => {
    const sub = await cli(
      'subscribe',
      '--to',
      `webhook:${hook}`,
      '--topics',
      'rare-earths',
      '--mode',
      'immediate+weekly',
      '--digest',
      'mon 09:00 Europe/Berlin',
      '--json',
    );
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.stdout)).toMatchObject({
      created: true,
      subscription: { topics: ['rare-earths'], mode: 'immediate+weekly', timezone: 'Europe/Berlin' },
    });

    const poll = await cli('poll', '--once', '--json');
    expect(poll.code).toBe(0);
    await drain();

    expect(received.every((r) => r.valid)).toBe(true);
    const keys = received.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    const titles = received.map((r) => r.body.message.title);
    expect(titles).toEqual(
      expect.arrayContaining([expect.stringMatching(/Technology export catalogue changed/), '📰 China tightens rare earth magnet export checks']),
    );
    expect(titles.some((t) => /Copper/.test(t))).toBe(false);

    const audit = JSON.parse((await cli('export', '--what', 'deliveries', '--json')).stdout).deliveries as Array<{
      destination: string;
      status: string;
      platformMessageId: string | null;
      attempts: number;
    }>;
    const toHook = audit.filter((d) => d.destination.startsWith('webhook:'));
    expect(toHook.length).toBe(received.length);
    expect(toHook.every((d) => d.status === 'sent' && d.platformMessageId?.startsWith('msg-'))).toBe(true);
    expect(toHook.some((d) => d.attempts > 1)).toBe(true);

    // A second poll finds nothing new and sends nothing new.
    await cli('poll', '--once', '--json');
    await drain();
    expect(received.map((r) => r.key)).toEqual(keys);

    const digest = await cli('digest', '--to', `webhook:${hook}`, '--preview', '--json');
    expect(digest.code).toBe(0);
    const [message] = JSON.parse(digest.stdout).digests as Array<{
      title: string;
      sections: Array<{ heading: string; items: Array<{ code: string; text: string; details: string[] }> }>;
    }>;
    expect(message!.title).toMatch(/^ExportWatch weekly — .* \(Europe\/Berlin\)$/);
    // Each item as one line: its code (e.g. the notice), text and detail lines.
    const section = (name: RegExp) => {
      const found = message!.sections.find((s) => name.test(s.heading));
      return found && { items: found.items.map((i) => ({ text: [i.code, i.text, ...i.details].join(' ') })) };
    };
    expect(
      section(/^Changes/)
        ?.items.map((i) => i.text)
        .join('\n'),
    ).toMatch(/2026 No\.94|MOFCOM-2026-94/);
    expect(
      section(/^News/)
        ?.items.map((i) => i.text)
        .join('\n'),
    ).toMatch(/China tightens rare earth magnet export checks/);
    expect(
      section(/^Deadlines/)
        ?.items.map((i) => i.text)
        .join('\n'),
    ).toMatch(/Suspension of 2025 No\.61 ended 2026-11-10; no notice since/);
  }, 60_000);

  it('refuses a webhook on a private address unless it is allowed', async () => {
    await cli('subscribe', '--to', `webhook:${hook}`, '--topics', 'rare-earths');
    env.URL_ALLOWLIST = '';
    env.DELIVERY_MAX_AGE_HOURS = '1';
    await cli('poll', '--once', '--json');
    await cli('deliver', '--once');
    expect(received).toEqual([]);
    const audit = JSON.parse((await cli('export', '--what', 'deliveries', '--json')).stdout).deliveries as Array<{
      destination: string;
      lastError: string | null;
    }>;
    expect(audit.find((d) => d.destination.startsWith('webhook:'))?.lastError).toMatch(/loopback|private|not allowed|refused/i);
  }, 60_000);

  it('rejects bad subscription input with exit 2', async () => {
    expect((await cli('subscribe', '--to', 'pigeon:home', '--topics', 'rare-earths')).code).toBe(2);
    const unknown = await cli('subscribe', '--to', 'console:me', '--topics', 'unobtainium');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/rare-earths/);
    expect((await cli('subscribe', '--to', 'console:me', '--digest', 'someday 25:00 Mars/Base')).code).toBe(2);
  });
});

describe('news after a crash', () => {
  it('refetches a feed unconditionally when a crash fell between storing its ETag and its items', async () => {
    const first = JSON.parse((await cli('poll', '--once', '--source', 'mining-rare-earth', '--json')).stdout).sources[0];
    expect(first).toMatchObject({ ok: true, news: 2 });
    // The state a crash leaves: the validators are stored, the items are not, the in-flight marker is set.
    const app = openApp({ databasePath: env.DATABASE_PATH! });
    try {
      app.db.prepare('DELETE FROM news_items').run();
      app.db.prepare("INSERT INTO kv (key, value, updated_at) VALUES ('feed-inflight:mining-rare-earth', 'x', 'x')").run();
    } finally {
      app.close();
    }
    fake.requests.length = 0;
    const again = JSON.parse((await cli('poll', '--once', '--source', 'mining-rare-earth', '--json')).stdout).sources[0];
    expect(again).toMatchObject({ ok: true, news: 2 });
    expect(fake.requests.find((r) => r.path === '/feed/rare-earth.xml')?.headers['if-none-match']).toBeUndefined();
    // Next time the feed is unchanged again: a conditional request and nothing new.
    fake.requests.length = 0;
    const third = JSON.parse((await cli('poll', '--once', '--source', 'mining-rare-earth', '--json')).stdout).sources[0];
    expect(third).toMatchObject({ ok: true, news: 0 });
    expect(fake.requests.find((r) => r.path === '/feed/rare-earth.xml')?.headers['if-none-match']).toBeDefined();
  });
});

describe('digests on schedule', () => {
  it('queues one weekly digest per period, and one (not a flood) after downtime', () => {
    let clock = new Date('2026-11-01T12:00:00Z');
    const app = openApp({ databasePath: join(dir.path, 'digest.db'), now: () => clock });
    try {
      const input = parseSubscriptionInput(
        { to: 'console:team', topics: ['rare-earths'], mode: 'weekly', digest: 'mon 09:00 Europe/Berlin' },
        topicIds(app.topics),
      );
      saveSubscription(app.db, input, clock);
      const options = { keywordMatcher: createKeywordMatcher(app.glossary), maxNews: 10 };
      expect(queueDueDigests(app, options)).toBe(0);
      // Monday 2026-11-02 09:00 in Berlin is 08:00 UTC (winter time).
      clock = new Date('2026-11-02T08:01:00Z');
      expect(queueDueDigests(app, options)).toBe(1);
      expect(queueDueDigests(app, options)).toBe(0);
      // Three weeks down: one catch-up digest, not three.
      clock = new Date('2026-11-24T10:00:00Z');
      expect(queueDueDigests(app, options)).toBe(1);
      expect(queueDueDigests(app, options)).toBe(0);
      const rows = app.db.prepare("SELECT digest_key FROM deliveries WHERE kind = 'digest' ORDER BY id").pluck().all();
      expect(rows).toEqual([expect.stringMatching(/\/2026-11-02\/weekly$/), expect.stringMatching(/\/2026-11-23\/weekly$/)]);
    } finally {
      app.close();
    }
  });
});
