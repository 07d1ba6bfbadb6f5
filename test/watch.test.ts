// `poll --once` against a fake MOFCOM on 127.0.0.1 that speaks the real list API and serves real
// article pages: a day of notices becomes the right register states and changes; every failure mode
// leaves the registers untouched and shows in `status`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp } from '../src/app.js';
import { replayTimeline } from '../src/demo.js';
import { articlePage, startFakeMofcom, type FakeMofcom, type Misbehaviour } from './fakes/mofcom.js';
import { makeTablePdf } from './pdf.js';
import { runCli, tempDir } from './helpers.js';

const DAY = join(import.meta.dirname, 'fixtures', 'mofcom-day');
interface ExpectedNotice {
  file: string;
  key: string;
  title: string;
  publishedAt: string;
  classification: { kind: string };
  changes: Record<string, Record<string, string[]>>;
  flagged: boolean;
  entries: Record<string, number>;
}
const expected = JSON.parse(readFileSync(join(DAY, 'expected.json'), 'utf8')) as { notices: ExpectedNotice[] };

let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;
let env: NodeJS.ProcessEnv;

/** The catalogue as after the demo's 2025 step: the state the day's catalogue notice applies to. */
function seedCatalogue(dbPath: string): void {
  const app = openApp({ databasePath: dbPath });
  try {
    replayTimeline(app);
  } finally {
    app.close();
  }
}

function listingsFor(notices: ExpectedNotice[], offset = 0) {
  // Newest first, as the site lists them; the article number is a site-wide sequence.
  return notices.map((n, i) => ({ title: n.title, path: `/article/gndt/202611/${1001 + offset + i}.html`, date: n.publishedAt, column: 9 })).reverse();
}

beforeEach(async () => {
  dir = tempDir();
  const db = join(dir.path, 'watch.db');
  seedCatalogue(db);
  const documents = expected.notices.map((n, i) => ({ path: `/article/gndt/202611/${1001 + i}.html`, html: readFileSync(join(DAY, n.file), 'utf8') }));
  fake = await startFakeMofcom({ listings: listingsFor(expected.notices), documents });
  const sources = join(dir.path, 'sources.json');
  writeFileSync(
    sources,
    JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '15m' }] }),
  );
  env = {
    DATABASE_PATH: db,
    SOURCES_FILE: sources,
    HTTP_DELAY_MS: '0',
    HTTP_RETRIES: '0',
    HTTP_TIMEOUT_MS: '1500',
    SOURCE_FAILURE_THRESHOLD: '3',
  };
});

afterEach(async () => {
  await fake.close();
  dir.remove();
});

const cli = (...args: string[]) => runCli(args, env);

async function statusJson() {
  const r = await cli('status', '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    sources: Array<{ id: string; lastSuccessAt: string | null; lastError: string | null; consecutiveFailures: number; nextPollAt: string | null }>;
    registers: Array<{ id: string; entries: number; lastChangeAt: string | null }>;
  };
}

async function sizes(): Promise<Record<string, number>> {
  return Object.fromEntries((await statusJson()).registers.map((r) => [r.id, r.entries]));
}

describe('poll --once against the fake MOFCOM', () => {
  it('turns a day of notices into the right register states, changes and notices', async () => {
    const r = await cli('poll', '--once', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [source] = JSON.parse(r.stdout).sources;
    expect(source).toMatchObject({ sourceId: 'exportcontrol', ok: true, listings: 6, newListings: 6 });
    const byKey = new Map(source.notices.map((n: { noticeKey: string }) => [n.noticeKey, n]));
    for (const exp of expected.notices) {
      const got = byKey.get(exp.key) as {
        kind: string;
        outcome: string;
        registers: Array<{ register: string; changes?: Array<{ kind: string; key: string }> }>;
      };
      expect(got, exp.key).toBeDefined();
      expect(got.kind).toBe(exp.classification.kind);
      expect(got.outcome).toBe(exp.flagged ? 'flagged' : 'applied');
      for (const [register, kinds] of Object.entries(exp.changes)) {
        const recorded = got.registers.find((x) => x.register === register)?.changes ?? [];
        for (const [kind, keys] of Object.entries(kinds)) {
          expect(
            recorded
              .filter((c) => c.kind === kind)
              .map((c) => c.key)
              .sort(),
            `${exp.key} ${register} ${kind}`,
          ).toEqual([...keys].sort());
        }
      }
    }
    expect(await sizes()).toEqual(expected.notices.at(-1)!.entries);

    // The column API was asked with the browser-like headers it needs.
    const apiCall = fake.requests.find((q) => q.method === 'POST');
    expect(apiCall?.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(apiCall?.body).toContain('columnID=9');

    const item = await cli('item', 'MOFCOM-2026-96', '--json');
    expect(JSON.parse(item.stdout).current).toMatchObject({ status: 'suspended', suspendedUntil: '2027-11-10' });
    const entity = await cli('check', 'Acme', 'Dynamics', '--json');
    expect(JSON.parse(entity.stdout).results[0]).toMatchObject({ register: 'export-control-list', status: 'listed' });
    const dualUse = await cli('item', '1c907.A', '--json');
    expect(JSON.parse(dualUse.stdout)).toMatchObject({ register: 'dual-use', key: '1C907.a' });

    const notices = JSON.parse((await cli('notices', '--json')).stdout).notices as Array<{ key: string; kind: string; urls: string[]; flags: string[] }>;
    expect(notices.map((n) => n.key)).toEqual(expect.arrayContaining(expected.notices.map((n) => n.key)));
    expect(notices.find((n) => n.key === 'MOFCOM-2026-95')).toMatchObject({ kind: 'entity-listing', urls: [`${fake.baseUrl}/article/gndt/202611/1004.html`] });

    const s = await statusJson();
    expect(s.sources[0]).toMatchObject({ id: 'exportcontrol', lastError: null, consecutiveFailures: 0 });
    expect(s.sources[0]!.nextPollAt).not.toBeNull();

    // A second pass finds nothing new and changes nothing.
    const again = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources[0];
    expect(again).toMatchObject({ ok: true, newListings: 0, notices: [] });
    expect(await sizes()).toEqual(expected.notices.at(-1)!.entries);
  });

  it('prints alerts to the console with the official link first', async () => {
    const r = await cli('poll', '--once');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Export control list (出口管制管控名单) changed — 3 entries added');
    expect(r.stdout).toContain(`Official text (Chinese): ${fake.baseUrl}/article/gndt/202611/1004.html`);
    expect(r.stdout).toContain('✓ exportcontrol: 6 listed, 6 new, 6 processed');
  });

  it('keeps one notice seen under two URLs, with both URLs', async () => {
    await cli('poll', '--once');
    const html = fake.documents.get('/article/gndt/202611/1004.html')!.html;
    fake.documents.set('/zwgk/zcfb/art/2026/art_0123456789abcdef0123456789abcdef.html', {
      path: '/zwgk/zcfb/art/2026/art_0123456789abcdef0123456789abcdef.html',
      html,
    });
    fake.listings.unshift({
      title: expected.notices[3]!.title,
      path: '/zwgk/zcfb/art/2026/art_0123456789abcdef0123456789abcdef.html',
      date: '2026-11-03',
      column: 9,
    });
    const r = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources[0];
    expect(r.notices).toEqual([expect.objectContaining({ noticeKey: 'MOFCOM-2026-95', outcome: 'duplicate' })]);
    const notice = JSON.parse((await cli('notices', '--json')).stdout).notices.find((n: { key: string }) => n.key === 'MOFCOM-2026-95');
    expect(notice.urls).toHaveLength(2);
    expect((await sizes())['export-control-list']).toBe(3);
  });
});

describe('failure modes leave the registers untouched and show in status', () => {
  const modes: Array<[Misbehaviour, RegExp]> = [
    ['mojibake', /mojibake/],
    ['zero-rows', /empty/],
    ['new-shape', /bad-shape/],
    ['js-shell', /js-shell|bad-shape/],
    ['forbidden', /challenge/],
    ['server-error', /http-status/],
    ['slow', /timeout/],
    ['truncated', /network|bad-shape|timeout/],
  ];

  it.each(modes)('%s', async (mode, reason) => {
    const before = await sizes();
    fake.misbehave(mode, { delayMs: 3000 });
    const r = await cli('poll', '--once', '--json');
    expect(r.code).toBe(0);
    const [source] = JSON.parse(r.stdout).sources;
    expect(source.ok).toBe(false);
    expect(source.error.reason).toMatch(reason);
    expect(await sizes()).toEqual(before);
    const s = await statusJson();
    expect(s.sources[0]).toMatchObject({ consecutiveFailures: 1, lastError: expect.any(String) });
  });

  it('raises an operator alert once after repeated failures and clears it once on recovery', async () => {
    fake.misbehave('server-error');
    const outputs: string[] = [];
    for (let i = 0; i < 4; i++) outputs.push((await cli('poll', '--once')).stdout);
    const raised = outputs.join('').match(/Source "exportcontrol" failing since/g) ?? [];
    expect(raised).toHaveLength(1);
    expect(outputs[2]).toMatch(/Source "exportcontrol" failing since/);
    expect((await statusJson()).sources[0]!.consecutiveFailures).toBe(4);
    fake.misbehave(null);
    const recovered = (await cli('poll', '--once')).stdout;
    expect(recovered).toMatch(/Source "exportcontrol" recovered/);
    expect((await cli('poll', '--once')).stdout).not.toMatch(/recovered/);
    expect((await statusJson()).sources[0]!.consecutiveFailures).toBe(0);
  });

  it('survives a first connection reset (one retry)', async () => {
    env.HTTP_RETRIES = '1';
    fake.misbehave('reset-first');
    const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    expect(source.ok).toBe(true);
    expect(source.notices).toHaveLength(6);
  });

  it('reads an article page served as GB18030 with a GBK label', async () => {
    fake.misbehave('gb18030', { path: '/article/gndt/202611/1004.html' });
    const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    expect(source.notices.find((n: { noticeKey: string }) => n.noticeKey === 'MOFCOM-2026-95')).toMatchObject({
      outcome: 'applied',
      title: expect.stringContaining('出口管制管控名单'),
    });
    expect((await sizes())['export-control-list']).toBe(3);
  });

  it('retries an article that failed on the next poll', async () => {
    fake.misbehave('server-error', { path: '/article/gndt/202611/1006.html' });
    const first = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources[0];
    expect(first.notices.find((n: { url: string }) => n.url.endsWith('1006.html')).outcome).toBe('failed');
    fake.misbehave(null);
    const second = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources[0];
    expect(second.notices).toEqual([expect.objectContaining({ noticeKey: 'MOFCOM-2026-97', outcome: 'applied' })]);
  });

  it('counts article pages that keep failing as the source failing, and never gives their listing up while it lasts', async () => {
    fake.misbehave('server-error', { path: '/article/gndt/202611/1006.html' });
    for (let i = 1; i <= 4; i++) {
      const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
      expect(source).toMatchObject({
        ok: false,
        error: { reason: 'http-status', message: expect.stringMatching(/^1 of \d notice page\(s\) not fetched: .*502/) },
      });
      expect((await statusJson()).sources[0]).toMatchObject({ consecutiveFailures: i });
    }
    // More polls than maxListingAttempts (3): the listing is still pending, and applied once the page answers.
    fake.misbehave(null);
    const [recovered] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    expect(recovered.ok).toBe(true);
    expect(recovered.notices).toEqual([expect.objectContaining({ noticeKey: 'MOFCOM-2026-97', outcome: 'applied' })]);
    expect((await statusJson()).sources[0]).toMatchObject({ consecutiveFailures: 0 });
  });

  it('does not poll a source again before the Retry-After of its 429', async () => {
    fake.misbehave('rate-limited', { retryAfter: 7200 });
    const before = Date.now();
    const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    expect(source.error.message).toMatch(/HTTP 429 .*\(Retry-After 7200 s\)/);
    // `every: 15m`, but the source asked for two hours.
    const next = Date.parse((await statusJson()).sources[0]!.nextPollAt!);
    expect(next).toBeGreaterThanOrEqual(before + 7200_000);
    expect(next).toBeLessThan(Date.now() + 7200_000 + 1000);
  });
});

describe('guards and attachments', () => {
  it('quarantines a change set removing too much, and applies it on approval', async () => {
    await cli('poll', '--once');
    const removal = articlePage({
      title: '商务部公告2026年第98号 关于将1家美国实体移出出口管制管控名单的公告',
      issuer: '安全与管制局',
      number: '商务部公告2026年第98号',
      date: '2026-11-20',
      paragraphs: [
        '根据《中华人民共和国出口管制法》有关规定，商务部决定将以下1家美国实体移出出口管制管控名单：',
        '1. 阿克米动力系统公司（Acme Dynamics Systems, Inc.）',
        '本公告自发布之日起正式实施。',
      ],
    });
    fake.documents.set('/article/gndt/202611/1100.html', { path: '/article/gndt/202611/1100.html', html: removal });
    fake.listings.unshift({
      title: '商务部公告2026年第98号 关于将1家美国实体移出出口管制管控名单的公告',
      path: '/article/gndt/202611/1100.html',
      date: '2026-11-20',
      column: 9,
    });
    const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    const outcome = source.notices[0];
    expect(outcome).toMatchObject({ noticeKey: 'MOFCOM-2026-98', outcome: 'quarantined' });
    expect((await sizes())['export-control-list']).toBe(3);
    const list = JSON.parse((await cli('quarantine', 'list', '--json')).stdout).quarantine;
    expect(list).toEqual([expect.objectContaining({ register: 'export-control-list', status: 'pending', reason: expect.stringMatching(/removes 1 of 3/) })]);
    const flagged = JSON.parse((await cli('notices', '--flagged', '--json')).stdout).notices.map((n: { key: string }) => n.key);
    expect(flagged).toContain('MOFCOM-2026-98');
    const approve = await cli('quarantine', 'approve', String(list[0].id), '--json');
    expect(approve.code).toBe(0);
    expect((await sizes())['export-control-list']).toBe(2);
    const again = await cli('quarantine', 'approve', String(list[0].id));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already approved/);
  });

  it('imports a catalogue revision from a PDF attachment', async () => {
    await cli('export', '--output', join(dir.path, 'state.json'));
    const state = JSON.parse(readFileSync(join(dir.path, 'state.json'), 'utf8')) as {
      entries: Array<{ code: string; part: string; sector: string; name: string; controlPoints: string[] }>;
    };
    // The revision keeps every entry but one and adds one prohibited entry.
    const kept = state.entries.slice(1);
    const added = {
      code: '237302J',
      part: 'prohibited',
      sector: '医药制造业',
      name: '用于人的生殖系基因编辑技术（虚构）',
      controlPoints: ['人类生殖细胞基因编辑技术'],
    };
    const rows: string[][] = [];
    let n = 0;
    for (const part of ['prohibited', 'restricted']) {
      rows.push([part === 'prohibited' ? '一、禁止出口部分' : '二、限制出口部分']);
      rows.push(['序号', '编号', '技术名称', '控制要点']);
      const inPart = [...kept, added].filter((e) => e.part === part);
      let sector = '';
      for (const e of inPart) {
        if (e.sector !== sector) {
          sector = e.sector;
          rows.push([`（${'一二三四五六七八九十'[rows.length % 10]}）${e.sector}`]);
        }
        rows.push([String(++n), e.code, e.name, e.controlPoints.map((p, i) => `${i + 1}.${p}`).join('')]);
      }
    }
    fake.documents.set('/upload/uploadfile/attach/202612/01/1764547200000.pdf', {
      path: '/upload/uploadfile/attach/202612/01/1764547200000.pdf',
      html: '',
      contentType: 'application/pdf',
      bytes: makeTablePdf(rows),
    });
    const page = articlePage({
      title: '商务部 科技部公告2026年第99号 关于发布《中国禁止出口限制出口技术目录》的公告',
      issuer: '服务贸易和商贸服务业司',
      number: '商务部 科技部公告2026年第99号',
      date: '2026-12-01',
      paragraphs: ['现将修订后的《中国禁止出口限制出口技术目录》予以发布，自发布之日起施行。'],
      attachments: [{ name: '中国禁止出口限制出口技术目录.pdf', path: '/upload/uploadfile/attach/202612/01/1764547200000.pdf' }],
    });
    fake.listings = [
      {
        title: '商务部 科技部公告2026年第99号 关于发布《中国禁止出口限制出口技术目录》的公告',
        path: '/article/gndt/202612/2001.html',
        date: '2026-12-01',
        column: 9,
      },
    ];
    fake.documents.set('/article/gndt/202612/2001.html', { path: '/article/gndt/202612/2001.html', html: page });
    // The attachment failing for now (a 502) fails the notice and the poll: nothing applied without it, nothing given up.
    fake.misbehave('server-error', { path: '/upload/uploadfile/attach/' });
    const [failed] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    expect(failed).toMatchObject({ ok: false, notices: [{ outcome: 'failed' }] });
    expect((await sizes())['tech-catalogue']).toBe(state.entries.length);
    expect(JSON.parse((await cli('notices', '--json')).stdout).notices.map((n: { key: string }) => n.key)).not.toContain('MOFCOM-2026-99');
    fake.misbehave(null);
    const [source] = JSON.parse((await cli('poll', '--once', '--json')).stdout).sources;
    const tech = source.notices[0].registers.find((r: { register: string }) => r.register === 'tech-catalogue');
    expect(source.notices[0]).toMatchObject({ noticeKey: 'MOFCOM-2026-99', kind: 'tech-catalogue-revision' });
    expect(tech.outcome).toBe('recorded');
    const keys = (kind: string) =>
      tech.changes
        .filter((c: { kind: string }) => c.kind === kind)
        .map((c: { key: string }) => c.key)
        .sort();
    expect(keys('added')).toEqual(['237302J']);
    expect(keys('removed')).toEqual([state.entries[0]!.code]);
    // A PDF table cell has no line breaks: only control points with sub-points on their own lines read differently.
    expect(keys('modified')).toEqual(
      kept
        .filter((e) => e.controlPoints.some((p) => p.includes('\n')))
        .map((e) => e.code)
        .sort(),
    );
  }, 60_000);
});
