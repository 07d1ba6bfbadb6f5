// How the benchmarks start the real service: as `npm start` does (scripts/build.mjs --if-stale --run serve: the esbuild
// bundle, built only when stale, run in the same process), or through tsx (bin/exportwatch.js, the development entry
// that tests use). The bundle goes to the benchmarks' own directory (node_modules/.cache/exportwatch-bench/dist), so a
// benchmark neither rewrites dist/ under someone else's `npm start` nor waits for theirs.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

export type ServeEntry = 'start' | 'tsx';

const ROOT = resolve(import.meta.dirname, '..');
const BUILD_SCRIPT = join(ROOT, 'scripts', 'build.mjs');
const BIN = join(ROOT, 'bin', 'exportwatch.js');
export const BENCH_DIST = join(ROOT, 'node_modules', '.cache', 'exportwatch-bench', 'dist');

export const ENTRY_LABEL: Record<ServeEntry, string> = {
  start: 'npm start (bundle)',
  tsx: 'bin/exportwatch.js (tsx)',
};

/** Node arguments that start `exportwatch serve --port 0` the given way. */
export function serveArgs(entry: ServeEntry): string[] {
  return entry === 'start'
    ? ['--enable-source-maps', BUILD_SCRIPT, '--if-stale', '--outdir', BENCH_DIST, '--run', 'serve', '--port', '0']
    : [BIN, 'serve', '--port', '0'];
}

/** Brings the benchmarks' bundle up to date (outside any timing). Returns the build time, or null when it was fresh. */
export function prepareBundle(): number | null {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BUILD_SCRIPT, '--if-stale', '--outdir', BENCH_DIST], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build.mjs failed (exit ${r.status}): ${r.stderr}`);
  return /built /.test(r.stderr) ? performance.now() - t0 : null;
}

/** True when a `start` run's stderr shows it built the bundle first (a source changed since prepareBundle). */
export function rebuiltOnStart(stderr: string): boolean {
  return /^built .* in \d+ ms$/m.test(stderr);
}
