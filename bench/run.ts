// `npm run bench` (diff-check): diff time at 1k/10k/100k entries and `check` latency over the catalogue plus 100k
// synthetic entries, with this script's peak memory. Prints figures; targets: 100k diff < 1 s, check p99 < 10 ms.
// Its headline rows go to bench/index.ts's summary table (bench/summary.ts). Alone: node --expose-gc --import tsx bench/run.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diff, summarise } from '../src/domain/diff.js';
import type { Entry } from '../src/domain/types.js';
import { openApp } from '../src/app.js';
import { check } from '../src/commands/check.js';
import { techCatalogue } from '../src/registers/tech-catalogue/index.js';
import { recordChanges } from '../storage/registers.js';
import { replayTimeline } from '../src/demo.js';
import { reportRows, type BenchRow } from './summary.js';

let peakRss = 0;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const sampler = setInterval(sample, 20);

// Deterministic pseudo-random numbers so every run measures the same work.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SYLLABLES = ['稀土', '材料', '制备', '技术', '分离', '提取', '合金', '电池', '正极', '磁体', '激光', '雷达', '软件', '芯片', '无人机', '基因'];

function syntheticEntry(i: number, rand: () => number): Entry {
  const pick = (): string => SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
  const part = rand() < 0.2 ? 'prohibited' : 'restricted';
  return {
    register: 'tech-catalogue',
    key: `${String(i).padStart(6, '0')}${part === 'prohibited' ? 'J' : 'X'}`,
    fields: {
      part,
      sector: `合成行业${i % 40}`,
      name: `合成${pick()}${pick()}技术${i}`,
      controlPoints: Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, k) => `${pick()}${pick()}${pick()}要点${k}`),
    },
  };
}

function syntheticRegister(n: number, seed: number): Entry[] {
  const rand = rng(seed);
  return Array.from({ length: n }, (_, i) => syntheticEntry(i, rand));
}

/** About 10% changed: 4% modified, 2% removed, 2% added, 2% moved to the other part. */
function mutate(before: Entry[], seed: number): Entry[] {
  const rand = rng(seed);
  const after: Entry[] = [];
  for (const e of before) {
    const r = rand();
    if (r < 0.02) continue;
    if (r < 0.04) {
      const suffix = e.key.endsWith('J') ? 'X' : 'J';
      after.push({ ...e, key: e.key.slice(0, 6) + suffix, fields: { ...e.fields, part: suffix === 'J' ? 'prohibited' : 'restricted' } });
    } else if (r < 0.08) {
      const points = [...(e.fields.controlPoints as string[])];
      points[0] = `${points[0]}（修改）`;
      after.push({ ...e, fields: { ...e.fields, controlPoints: points } });
    } else after.push(e);
  }
  const extra = Math.round(before.length * 0.02);
  const rand2 = rng(seed + 1);
  for (let i = 0; i < extra; i++) after.push(syntheticEntry(900000 + i, rand2));
  return after;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

console.log(`ExportWatch benchmarks — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
// Linearity: time per entry at 100k over time per entry at 10k. The diff sorts, so log n growth is expected
// (log₂ 100k / log₂ 10k ≈ 1.25), plus cache misses on larger maps; a quadratic step would give about 10×. 1k is printed
// too but not judged: at that size fixed costs and JIT warm-up dominate.
const GROWTH_TARGET = 1.5;
const GROWTH_TARGET_TEXT = '≤ 1.5× (≈ linear)';
// `npm run bench` starts this script with --expose-gc: each timed diff starts after a full collection, so one size's
// garbage is not collected during the next size's runs.
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
const rows: BenchRow[] = [];
console.log(`\n## diff (each register ~10% changed; median of 5 runs${gc.name === 'gc' ? ', full GC before each' : ''})`);
const perEntry: number[] = [];
const diffMs: number[] = [];
for (const n of [1_000, 10_000, 100_000]) {
  const before = syntheticRegister(n, 42);
  const after = mutate(before, 7);
  const times: number[] = [];
  let changes = 0;
  for (let run = 0; run < 5; run++) {
    gc();
    const t0 = performance.now();
    const result = diff(before, after);
    times.push(performance.now() - t0);
    changes = result.length;
    sample();
  }
  const ms = median(times);
  perEntry.push(ms / n);
  diffMs.push(ms);
  console.log(`  ${String(n).padStart(7)} entries: ${ms.toFixed(1).padStart(8)} ms  (${changes} changes, ${JSON.stringify(summarise(diff(before, after)))})`);
}
const growth1k = perEntry[2]! / perEntry[0]!;
const growth10k = perEntry[2]! / perEntry[1]!;
console.log(`  growth: time per entry at 100k / at 1k = ${growth1k.toFixed(2)}, at 100k / at 10k = ${growth10k.toFixed(2)} (1.00 = linear)`);
rows.push({ measure: 'diff, 100k entries (~10% changed)', figure: `${diffMs[2]!.toFixed(0)} ms`, target: '< 1 s', met: diffMs[2]! < 1000 });
rows.push({
  measure: 'diff growth: time per entry, 100k ÷ 10k',
  figure: `${growth10k.toFixed(2)}× (100k ÷ 1k: ${growth1k.toFixed(2)}×)`,
  target: GROWTH_TARGET_TEXT,
  met: growth10k <= GROWTH_TARGET,
});

console.log('\n## check (demo catalogue + 100k synthetic entries, 1,000 queries)');
const dir = mkdtempSync(join(tmpdir(), 'exportwatch-bench-'));
const app = openApp({ databasePath: join(dir, 'bench.db') });
try {
  replayTimeline(app);
  const synthetic = syntheticRegister(100_000, 99).map((e) => ({ ...e, key: `9${e.key.slice(1)}` }));
  const t0 = performance.now();
  const changes = diff([], synthetic);
  recordChanges(app.db, {
    register: 'tech-catalogue',
    changes,
    summary: summarise(changes),
    unparsed: [],
    asOf: '2026-01-01',
    noticeKey: null,
    source: 'import',
    detectedAt: new Date().toISOString(),
    flagged: false,
    searchText: (e) => techCatalogue.searchText(e, app.gloss),
  });
  console.log(`  loading 100k synthetic entries with their search index: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const queries = [
    'NdFeB magnet',
    '稀土',
    '钕',
    'lidar',
    '053302J',
    'gallium',
    'rare earth separation',
    '激光雷达',
    'drone flight control',
    'lithium iron phosphate',
    '0533',
    'gene editing',
    '电池正极',
    'software',
    'speech synthesis',
    '无人机',
    'heat treatment',
    'samarium cobalt',
    '合成稀土材料',
    'unknownword',
  ];
  const latencies: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const q = queries[i % queries.length]!;
    const s = performance.now();
    check(app, q);
    latencies.push(performance.now() - s);
    if (i % 50 === 0) sample();
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  console.log(`  p50 ${p50.toFixed(2)} ms · p99 ${p99.toFixed(2)} ms · max ${Math.max(...latencies).toFixed(2)} ms`);
  rows.push({
    measure: 'check p50 / p99 (catalogue + 100k entries)',
    figure: `p50 ${p50.toFixed(2)} ms · p99 ${p99.toFixed(2)} ms`,
    target: 'p99 < 10 ms',
    met: p99 < 10,
  });
} finally {
  app.close();
  rmSync(dir, { recursive: true, force: true });
}
sample();
clearInterval(sampler);
console.log(`\n## memory\n  peak RSS of this script ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
reportRows(rows);
