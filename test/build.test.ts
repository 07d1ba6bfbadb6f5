// The bundle that `npm start` runs (scripts/build.mjs → dist/exportwatch.mjs), built into a scratch folder: it serves
// on a new database (migrations from the package root), polls a fake MOFCOM (HTML through the bundled cheerio entry),
// prints the alert, answers /healthz and stops on SIGTERM; its lazily loaded Slack and Teams chunks import. The rest
// of the suite runs the sources through tsx, so this is what catches a build that no longer starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, ENTRY, isFresh } from '../scripts/build.mjs';
import { articlePage, startFakeMofcom, type FakeMofcom } from './fakes/mofcom.js';
import { tempDir } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..');
let outdir: string;
let dir: ReturnType<typeof tempDir>;
let fake: FakeMofcom;

beforeAll(async () => {
  // Inside the package like dist/: the bundle resolves node_modules, and finds data/ and the migrations, from there.
  mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
  outdir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'exportwatch-build-test-'));
  await build({ outdir });
  dir = tempDir();
  const date = '2026-11-20';
  const path = '/article/gndt/202611/5000.html';
  const title = `商务部新闻发言人就出口管制有关问题答记者问（${date}）`;
  fake = await startFakeMofcom({
    listings: [{ title, path, date, column: 9 }],
    documents: [
      {
        path,
        html: articlePage({ title, issuer: '新闻办公室', number: '', date, paragraphs: ['问：请介绍有关情况。', '答：商务部将依法依规开展出口管制工作。'] }),
      },
    ],
  });
}, 60_000);

afterAll(async () => {
  await fake?.close();
  dir?.remove();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Runs `fn` with the build's recorded start time set to `startedAt` (files edited meanwhile cannot make it flaky). */
async function withBuildStartedAt<T>(startedAt: number, fn: () => T | Promise<T>): Promise<T> {
  const manifestFile = join(outdir, 'build-manifest.json');
  const manifest = readFileSync(manifestFile, 'utf8');
  writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(manifest), startedAt }));
  try {
    return await fn();
  } finally {
    writeFileSync(manifestFile, manifest);
  }
}

const HOUR = 3_600_000;

describe('the build', () => {
  it('is fresh until a file it was built from is newer than the build', async () => {
    expect(await withBuildStartedAt(Date.now() + HOUR, () => isFresh(outdir))).toBe(true);
    expect(await withBuildStartedAt(0, () => isFresh(outdir))).toBe(false);
    expect(isFresh(join(outdir, 'missing'))).toBe(false);
  });

  it('runs the bundle in the same process, without building when fresh (what `npm start` does)', async () => {
    const { stdout, stderr } = await withBuildStartedAt(Date.now() + HOUR, () =>
      promisify(execFile)(
        process.execPath,
        [join(ROOT, 'scripts', 'build.mjs'), '--if-stale', '--outdir', outdir, '--run', 'check', 'NdFeB', 'magnet', '--db', join(dir.path, 'run.db')],
        { cwd: dir.path },
      ),
    );
    expect(stderr).not.toMatch(/built/);
    expect(stdout).toMatch(/No match for "NdFeB magnet" \(searched: 钕铁硼/);
  });

  it('serves from the bundle: polls, prints the alert, answers /healthz, stops cleanly on SIGTERM', async () => {
    const sourcesFile = join(dir.path, 'sources.yaml');
    writeFileSync(
      sourcesFile,
      `sources:\n  - id: exportcontrol\n    kind: export-control-columns\n    baseUrl: ${fake.baseUrl}\n    columns: [9]\n    every: 15m\n`,
    );
    const child = spawn(process.execPath, [join(outdir, ENTRY), 'serve', '--port', '0'], {
      cwd: dir.path,
      env: { ...process.env, DATABASE_PATH: join(dir.path, 'serve.db'), SOURCES_FILE: sourcesFile, HTTP_DELAY_MS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        const timer = setTimeout(() => reject(new Error(`the bundle did not start: ${stderr}`)), 20_000);
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /serving on port (\d+)/.exec(stderr);
          if (m) {
            clearTimeout(timer);
            resolvePort(Number(m[1]));
          }
        });
        void exited.then((code) => reject(new Error(`the bundle exited (${code}) before serving: ${stderr}`)));
      });
      let health: { status?: string; store?: { ok: boolean }; sources?: Array<{ lastSuccessAt: string | null }> } = {};
      for (let i = 0; i < 100 && !health.sources?.[0]?.lastSuccessAt; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as typeof health;
      }
      expect(health.store?.ok).toBe(true);
      expect(health.sources?.[0]?.lastSuccessAt).toBeTruthy();
      for (let i = 0; i < 100 && !/New MOFCOM notice/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/Stopping/);
    expect(stdout).toMatch(/New MOFCOM notice/);
  }, 40_000);

  it('keeps the Slack and Teams adapters in chunks of their own that import', async () => {
    const chunks = readdirSync(join(outdir, 'chunks'));
    const slack = chunks.find((f) => /^slack-.*\.mjs$/.test(f));
    const teams = chunks.find((f) => /^teams-.*\.mjs$/.test(f));
    const cli = chunks.find((f) => /^cli-.*\.mjs$/.test(f));
    expect(slack && teams && cli).toBeTruthy();
    // What every start loads: the entry, the CLI chunk it imports, and the chunks those import statically.
    const loaded = new Set<string>();
    const visit = (file: string): void => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/from "(\.\.?\/[^"]+)"/g)) visit(resolve(file, '..', m[1]!));
    };
    visit(join(outdir, ENTRY));
    visit(join(outdir, 'chunks', cli!));
    expect(loaded.size).toBeGreaterThan(2);
    for (const file of loaded) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from "(@slack\/bolt|botbuilder|express)"/);
    expect([...loaded].filter((f) => /\/(slack|teams)-[^/]*$/.test(f))).toEqual([]);
    const script = `const s = await import(${JSON.stringify(pathToFileURL(join(outdir, 'chunks', slack!)).href)});
const t = await import(${JSON.stringify(pathToFileURL(join(outdir, 'chunks', teams!)).href)});
console.log(typeof s.startSlackService, typeof t.startTeamsService);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: dir.path });
    expect(stdout.trim()).toBe('function function');
  }, 30_000);
});
