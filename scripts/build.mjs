#!/usr/bin/env node
// `npm run build`: bundles the service with esbuild into dist/ for `npm start`, which then loads a few plain JavaScript
// files instead of having tsx transform ~150 TypeScript modules at every start. The bundle's entry is
// bin/exportwatch.js itself (reads ./.env, then runs src/cli.ts), with tsx's register() replaced by nothing:
// dist/exportwatch.mjs takes the same arguments as the `exportwatch` command. Packages stay imports from node_modules;
// the Slack and Teams adapters, imported lazily, stay separate chunks loaded only when configured. Data files
// (data/, storage/migrations/) are read from the package root at run time (src/paths.ts), so dist/ holds code only.
//
//   node scripts/build.mjs               build into dist/
//   node scripts/build.mjs --if-stale    build only when dist/ is missing or older than a file it was built from
//   node scripts/build.mjs --outdir DIR  build into DIR (inside this package, so that node_modules resolves from it)
//   node scripts/build.mjs --if-stale --run serve
//                                        what `npm start` runs: build if stale, then run `dist/exportwatch.mjs serve`
//                                        in this same process (a separate prestart step cost ~0.3 s more)
//
// Development and tests never use dist/: bin/exportwatch.js runs the sources through tsx.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const DEFAULT_OUTDIR = join(ROOT, 'dist');
/** The bundle's entry file inside the output directory: `node dist/exportwatch.mjs serve`. */
export const ENTRY = 'exportwatch.mjs';
/** Written last into the output directory: when the build started and every file it read. */
const MANIFEST = 'build-manifest.json';
/** Files that shape the bundle without being bundled themselves. */
const BUILD_INPUTS = ['scripts/build.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

/**
 * True when `outdir` holds a complete build and no file it was built from (every bundled source, this script,
 * tsconfig.json, package.json, package-lock.json) has changed, been removed or been touched since that build started. A source file
 * that is new but imported by nothing already bundled cannot change the bundle; one that a bundled file now imports
 * means that file changed. Stat calls only: a few milliseconds.
 */
export function isFresh(outdir = DEFAULT_OUTDIR) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(outdir, MANIFEST), 'utf8'));
  } catch {
    return false;
  }
  if (typeof manifest?.startedAt !== 'number' || !Array.isArray(manifest.inputs) || !existsSync(join(outdir, ENTRY))) return false;
  for (const input of [...manifest.inputs, ...BUILD_INPUTS]) {
    let mtimeMs;
    try {
      mtimeMs = statSync(join(ROOT, input)).mtimeMs;
    } catch {
      return false;
    }
    if (mtimeMs >= manifest.startedAt) return false;
  }
  return true;
}

/** Stands in for `tsx/esm/api` in the bundle: bin/exportwatch.js's register() does nothing there. */
const withoutTsx = {
  name: 'without-tsx',
  setup(build) {
    build.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx/esm/api', namespace: 'without-tsx' }));
    build.onLoad({ filter: /.*/, namespace: 'without-tsx' }, () => ({ contents: 'export function register() {}', loader: 'js' }));
  },
};

/**
 * `cheerio` in the bundle is cheerio's parser entry (load-parse.js and static.js: `load`, `contains`, `merge`, the same
 * functions its index exports). The index also loads undici and encoding-sniffer for fromURL, loadBuffer and the
 * stream loaders, which ExportWatch never calls: about 0.2 s of CPU at every start. An import of anything else from
 * `cheerio` fails the build ("No matching export"), and so does a cheerio release that moves these files.
 */
const cheerioParserOnly = {
  name: 'cheerio-parser-only',
  setup(build) {
    build.onResolve({ filter: /^cheerio$/ }, () => {
      const esm = join(dirname(createRequire(join(ROOT, 'package.json')).resolve('cheerio')), '..', 'esm');
      for (const file of ['load-parse.js', 'static.js']) {
        if (!existsSync(join(esm, file))) throw new Error(`cheerio has no ${join(esm, file)}: update the cheerio-parser-only plugin of scripts/build.mjs`);
      }
      return { path: 'cheerio', namespace: 'cheerio-parser-only', pluginData: esm };
    });
    build.onLoad({ filter: /.*/, namespace: 'cheerio-parser-only' }, (args) => ({
      contents: "export * from './load-parse.js';\nexport { contains, merge } from './static.js';\n",
      resolveDir: args.pluginData,
      loader: 'js',
    }));
  },
};

/**
 * Builds into `outdir` (default dist/), replacing what was there only once the new build is complete, so a process
 * starting meanwhile never loads half of one. Returns the output directory, the entry file and the build's duration.
 */
export async function build({ outdir = DEFAULT_OUTDIR } = {}) {
  const started = performance.now();
  const startedAt = Date.now();
  const { build: esbuild } = await import('esbuild');
  const target = resolve(outdir);
  // Beside the target, so that the source maps' relative paths stay right when it is renamed (ignored as dist.tmp-*).
  const staging = `${target}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  try {
    const result = await esbuild({
      absWorkingDir: ROOT,
      entryPoints: [{ in: 'bin/exportwatch.js', out: 'exportwatch' }],
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      // Class names as written: pino logs an error's constructor name, and the bundle must not rename duplicates.
      keepNames: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      plugins: [withoutTsx, cheerioParserOnly],
    });
    const inputs = Object.keys(result.metafile.inputs)
      .filter((path) => !path.includes(':'))
      .sort();
    writeFileSync(join(staging, MANIFEST), `${JSON.stringify({ startedAt, inputs }, null, 2)}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { outdir: target, entry: join(target, ENTRY), ms: performance.now() - started };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const runAt = args.indexOf('--run');
  const own = runAt >= 0 ? args.slice(0, runAt) : args;
  const at = own.indexOf('--outdir');
  const outdir = resolve(at >= 0 ? (own[at + 1] ?? '') : DEFAULT_OUTDIR);
  const unknown = own.filter((a, i) => a !== '--if-stale' && a !== '--outdir' && !(at >= 0 && i === at + 1));
  if ((at >= 0 && !own[at + 1]) || unknown.length > 0) {
    console.error('usage: node scripts/build.mjs [--if-stale] [--outdir DIR] [--run ARGS…]');
    process.exit(2);
  }
  if (!(own.includes('--if-stale') && isFresh(outdir))) {
    try {
      const done = await build({ outdir });
      console.error(`built ${relative(process.cwd(), done.entry) || done.entry} in ${Math.round(done.ms)} ms`);
    } catch (err) {
      // esbuild has already printed its errors with file and line.
      console.error(`build failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      process.exit(1);
    }
    if (runAt >= 0) await (await import('esbuild')).stop();
  }
  if (runAt >= 0) {
    // `npm start`: the bundle runs in this process (one Node.js start, not two), as `node dist/exportwatch.mjs ARGS…`.
    const entry = join(outdir, ENTRY);
    process.argv = [process.argv[0], entry, ...args.slice(runAt + 1)];
    await import(pathToFileURL(entry).href);
  }
}
