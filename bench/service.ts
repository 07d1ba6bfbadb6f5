// Service figures for `npm run bench`: cold start of `exportwatch serve` to ready (target < 1.5 s), and the
// CPU of one poll pass over 50 sources that all answer 304 (target < 100 ms). Loopback only. The pass runs in this
// process, against the fake MOFCOM in this process too, so its CPU figure includes the fake's answers (an upper bound).
// Headline rows go to bench/index.ts's summary table. Alone: node --import tsx bench/service.ts
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { DEFAULT_WATCH_SETTINGS, pollSource, type PollContext } from '../src/pipeline/poll.js';
import { makeEmitter } from '../src/alerts/events.js';
import { loadSourcesFile } from '../src/sources/config.js';
import { makeHttpClient } from '../src/watch.js';
import { startFakeMofcom } from '../test/fakes/mofcom.js';
import { tempDir } from '../test/helpers.js';
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

  // Cold start: process start until the service says it is serving, on a new database (migrations included). Taken
  // COLD_STARTS times (each on its own database); the median is the figure, the range shows the machine's noise.
  const bin = resolve(import.meta.dirname, '..', 'bin', 'exportwatch.js');
  const coldStart = async (n: number): Promise<number> => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      cwd: dir.path,
      env: {
        ...process.env,
        DATABASE_PATH: join(dir.path, `cold-${n}.db`),
        SOURCES_FILE: sourcesFile,
        HTTP_DELAY_MS: '0',
        ALERTS_FALLBACK_DESTINATION: 'none',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const ready = await new Promise<number>((resolveReady, reject) => {
      let stderr = '';
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 30_000);
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/serving on port/.test(stderr)) {
          clearTimeout(timer);
          resolveReady(performance.now() - started);
        }
      });
    });
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    return ready;
  };
  const starts: number[] = [];
  for (let n = 0; n < COLD_STARTS; n++) starts.push(await coldStart(n));
  const ready = [...starts].sort((a, b) => a - b)[Math.floor(starts.length / 2)]!;

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
  console.log(
    `  cold start of exportwatch serve to ready (spawn to "serving on port", new database): median ${ready.toFixed(0)} ms of ${COLD_STARTS} ` +
      `(${starts.map((ms) => ms.toFixed(0)).join(', ')} ms) (target < 1500 ms) ${ready < 1500 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `  poll pass over ${SOURCES} sources answering 304: ${cpuMs.toFixed(1)} ms CPU, ${wallMs.toFixed(1)} ms wall, ${notModified}/${SOURCES} conditional requests (target < 100 ms CPU) ${cpuMs < 100 ? 'met' : 'MISSED'}`,
  );
  reportRows([
    {
      measure: 'cold start: spawn to "serving on port"',
      figure: `${ready.toFixed(0)} ms (median of ${COLD_STARTS}; ${Math.min(...starts).toFixed(0)}–${Math.max(...starts).toFixed(0)})`,
      target: '< 1.5 s',
      met: ready < 1500,
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
