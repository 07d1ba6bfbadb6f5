// Service figures for `npm run bench`: cold start of `exportwatch serve` to ready (target < 1.5 s) as `npm start` runs
// it (the bundle; bench/entry.ts) and, for comparison, through tsx (bin/exportwatch.js); and the CPU of one poll pass
// over 50 sources that all answer 304 (target < 100 ms). Loopback only. The pass runs in this process, against the fake
// MOFCOM in this process too, so its CPU figure includes the fake's answers. That share is small: with the fake in
// another process, the poller alone used as much CPU or more (waiting on another process costs wake-ups).
// Headline rows go to bench/index.ts's summary table. Alone: node --import tsx bench/service.ts
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_WATCH_SETTINGS, pollSource, type PollContext } from '../src/pipeline/poll.js';
import { makeEmitter } from '../src/alerts/events.js';
import { loadSourcesFile } from '../src/sources/config.js';
import { makeHttpClient } from '../src/watch.js';
import { startFakeMofcom } from '../test/fakes/mofcom.js';
import { tempDir } from '../test/helpers.js';
import { ENTRY_LABEL, prepareBundle, rebuiltOnStart, serveArgs, type ServeEntry } from './entry.js';
import { reportRows } from './summary.js';

const SOURCES = 50;
const COLD_STARTS = 3;
const dir = tempDir('exportwatch-bench-service-');
const fake = await startFakeMofcom({
  listings: [{ title: '商务部公告2026年第1号', path: '/article/gndt/202601/1.html', date: '2026-01-06', column: 9 }],
  documents: [],
});

try {
  const sourcesFile = join(dir.path, 'sources.yaml');
  writeFileSync(
    sourcesFile,
    `sources:\n${Array.from({ length: SOURCES }, (_, i) => `  - id: home-${i}\n    kind: html-index\n    url: ${fake.baseUrl}/index.html?copy=${i}\n    every: 1d\n`).join('')}`,
  );

  // Cold start: process start until the service says it is serving, on a new database (migrations included), the way
  // `npm start` runs it (the bundle) and through tsx (bin/exportwatch.js, the development entry). Each COLD_STARTS times,
  // alternating, each on its own database; the median is the figure, the range shows the machine's noise. The bundle is
  // brought up to date before each start; a start that still had to build (a source changed in between) is taken again.
  /** CPU time (user + system, every thread) a process has used, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
  const cpuMsOf = (pid: number): number => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  let databases = 0;
  const coldStart = async (entry: ServeEntry): Promise<{ ms: number; cpuMs: number; rebuilt: boolean }> => {
    if (entry === 'start') prepareBundle();
    const started = performance.now();
    const child = spawn(process.execPath, serveArgs(entry), {
      cwd: dir.path,
      env: {
        ...process.env,
        DATABASE_PATH: join(dir.path, `cold-${databases++}.db`),
        SOURCES_FILE: sourcesFile,
        HTTP_DELAY_MS: '0',
        ALERTS_FALLBACK_DESTINATION: 'none',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const result = await new Promise<{ ms: number; cpuMs: number; rebuilt: boolean }>((resolveReady, reject) => {
      let stderr = '';
      let isReady = false;
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (!isReady && /serving on port/.test(stderr)) {
          isReady = true;
          clearTimeout(timer);
          const ms = performance.now() - started;
          resolveReady({ ms, cpuMs: cpuMsOf(child.pid!), rebuilt: rebuiltOnStart(stderr) });
        }
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    return result;
  };
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const cold: Record<ServeEntry, Array<{ ms: number; cpuMs: number }>> = { start: [], tsx: [] };
  let rebuilds = 0;
  for (let n = 0; n < COLD_STARTS; n++) {
    for (const entry of ['start', 'tsx'] as const) {
      let r = await coldStart(entry);
      for (let retry = 0; r.rebuilt && retry < 3; retry++) {
        rebuilds += 1;
        r = await coldStart(entry);
      }
      cold[entry].push(r);
    }
  }

  // A poll pass over 50 unchanged sources: prime validators, then measure the CPU of the 304 pass.
  const app = openApp({ databasePath: join(dir.path, 'poll.db') });
  const config = loadConfig({ HTTP_DELAY_MS: '0' });
  const ctx: PollContext = {
    app,
    http: makeHttpClient(app, config),
    emit: makeEmitter(app, { operatorDestinations: [], fallbackDestination: null }),
    settings: DEFAULT_WATCH_SETTINGS,
  };
  const sources = loadSourcesFile(sourcesFile);
  for (const s of sources) await pollSource(ctx, s);
  fake.requests.length = 0;
  const cpu = process.cpuUsage();
  const wall = performance.now();
  for (const s of sources) await pollSource(ctx, s);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - wall;
  const notModified = fake.requests.filter((r) => r.headers['if-none-match'] !== undefined).length;
  app.close();

  const cpuMs = (used.user + used.system) / 1000;
  console.log('\n## service');
  const coldLine = (entry: ServeEntry): { ms: number; text: string } => {
    const runs = cold[entry];
    const ms = median(runs.map((r) => r.ms));
    return {
      ms,
      text:
        `${ms.toFixed(0)} ms (median of ${runs.length}; ${Math.min(...runs.map((r) => r.ms)).toFixed(0)}–${Math.max(...runs.map((r) => r.ms)).toFixed(0)}), ` +
        `CPU ${median(runs.map((r) => r.cpuMs)).toFixed(0)} ms`,
    };
  };
  const start = coldLine('start');
  const tsx = coldLine('tsx');
  for (const entry of ['start', 'tsx'] as const) {
    console.log(
      `  cold start of ${ENTRY_LABEL[entry]} serve to ready (spawn to "serving on port", new database): ` +
        `${cold[entry].map((r) => r.ms.toFixed(0)).join(', ')} ms; CPU used by then (all threads, /proc/<pid>/stat) ${cold[entry].map((r) => r.cpuMs.toFixed(0)).join(', ')} ms`,
    );
  }
  console.log(
    `    npm start: median ${start.ms.toFixed(0)} ms (target < 1500 ms) ${start.ms < 1500 ? 'met' : 'MISSED'}; through tsx: median ${tsx.ms.toFixed(0)} ms`,
  );
  if (rebuilds > 0) console.log(`    ${rebuilds} start(s) of the bundle had to build first (a source changed meanwhile) and were taken again`);
  console.log(
    `  poll pass over ${SOURCES} sources answering 304: ${cpuMs.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall, ${notModified}/${SOURCES} conditional requests (target < 100 ms CPU) ${cpuMs < 100 ? 'met' : 'MISSED'}`,
  );
  reportRows([
    {
      measure: 'cold start to ready, npm start (bundle)',
      figure: start.text,
      target: '< 1.5 s',
      met: start.ms < 1500,
    },
    {
      measure: 'cold start to ready, through tsx (dev)',
      figure: tsx.text,
      target: '— (for comparison)',
      met: null,
    },
    {
      measure: `poll pass, ${SOURCES} sources answering 304`,
      figure: `${cpuMs.toFixed(1)} ms CPU (${wallMs.toFixed(0)} ms wall, ${notModified}/${SOURCES} conditional)`,
      target: '< 100 ms CPU',
      met: cpuMs < 100 && notModified === SOURCES,
    },
  ]);
} finally {
  await fake.close();
  dir.remove();
}
