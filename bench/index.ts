// `npm run bench`: every benchmark in turn, each in its own Node process (cold start and memory start the service as a
// child anyway; bench/run.ts needs --expose-gc), then ONE summary table: measure | figure | target | met?.
// Each script prints its detailed report above the table as it runs, and writes its headline rows to the file named by
// BENCH_ROWS (bench/summary.ts). A missed target is printed as MISSED; a script that fails or reports nothing gets a
// "failed" row. Exit code 1 only when a script failed (a crash, or a correctness check such as the fan-out's exactly
// once); missed targets are figures, reported, not failures.
//
// Options: --only service,memory,diff-check,fanout (a subset, in this order)  --quiet (only the table; each script's
//          report is kept and printed if that script fails)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatTable, readRows, type BenchRow } from './summary.js';

const BENCHES = [
  { name: 'service', what: 'cold start and 304 poll pass', node: ['--import', 'tsx', 'bench/service.ts'] },
  { name: 'memory', what: 'resident memory of serve', node: ['--import', 'tsx', 'bench/memory.ts'] },
  { name: 'diff-check', what: 'diff and check', node: ['--expose-gc', '--import', 'tsx', 'bench/run.ts'] },
  { name: 'fanout', what: 'webhook fan-out', node: ['--import', 'tsx', 'bench/fanout.ts'] },
] as const;

const { values: args } = parseArgs({ options: { only: { type: 'string' }, quiet: { type: 'boolean', default: false } } });
const only = args.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((name) => !BENCHES.some((b) => b.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')} (one of ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const selected = BENCHES.filter((b) => !only || only.includes(b.name));
const root = resolve(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'exportwatch-bench-rows-'));

function run(bench: (typeof BENCHES)[number], rowsFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...bench.node], {
      cwd: root,
      env: { ...process.env, BENCH_ROWS: rowsFile },
      stdio: ['ignore', args.quiet ? 'pipe' : 'inherit', args.quiet ? 'pipe' : 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => done({ code, output }));
  });
}

const started = performance.now();
// The machine may be shared: its 1-minute load average before and after says how much other work ran alongside.
const loadBefore = loadavg()[0]!;
const rows: BenchRow[] = [];
const failed: string[] = [];
try {
  for (const bench of selected) {
    if (!args.quiet) console.log(`\n# ${bench.name}: ${bench.what} (node ${bench.node.join(' ')})`);
    const t0 = performance.now();
    const rowsFile = join(dir, `${bench.name}.jsonl`);
    const { code, output } = await run(bench, rowsFile);
    const seconds = (performance.now() - t0) / 1000;
    const got = readRows(rowsFile);
    rows.push(...got);
    if (code !== 0 || got.length === 0) {
      failed.push(bench.name);
      if (args.quiet) process.stdout.write(output);
      rows.push({ measure: bench.node.at(-1)!, figure: `exit ${code}, ${got.length} rows reported`, target: 'completes', met: false, failed: true });
    }
    if (!args.quiet) console.log(`# ${bench.name}: ${seconds.toFixed(1)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const missed = rows.filter((r) => r.met === false && !r.failed);
const cpu = cpus();
console.log(
  `\n# ExportWatch benchmarks — ${new Date().toISOString()} — ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version} — ${((performance.now() - started) / 1000).toFixed(0)} s, ` +
    `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after\n`,
);
console.log(formatTable(rows));
console.log(
  `\n${rows.filter((r) => r.met === true).length} of ${rows.filter((r) => r.met !== null).length} met` +
    (missed.length > 0 ? `; MISSED: ${missed.map((r) => r.measure).join('; ')}` : '') +
    (failed.length > 0 ? `\nFAILED to complete: ${failed.join(', ')}` : ''),
);
process.exitCode = failed.length > 0 ? 1 : 0;
