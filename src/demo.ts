// `exportwatch demo`: replays the bundled timeline into a temporary database and prints each step's
// alert through the console adapter. Offline, a few seconds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { renderText } from '../adapters/console/render.js';
import { buildChangeMessage } from './alerts/change-message.js';
import { openApp, type App } from './app.js';
import { check } from './commands/check.js';
import { applyNotice, importCatalogue, type NoticeMeta, type RecordResult } from './pipeline/catalogue.js';
import { packagePath } from './paths.js';

export const DEMO_DIR = packagePath('data', 'demo');

const stepSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['import', 'apply']),
  file: z.string().regex(/^[\w.-]+$/, 'a file name inside data/demo'),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  description: z.string(),
  notice: z.object({
    key: z.string().min(1),
    title: z.string().default(''),
    issuer: z.string().default(''),
    number: z.string().default(''),
    publishedAt: z.string().optional(),
    effectiveAt: z.string().optional(),
    url: z.string().optional(),
    urls: z.array(z.string()).optional(),
  }),
});
const timelineSchema = z.object({ steps: z.array(stepSchema).min(1) });
export type DemoStep = z.infer<typeof stepSchema>;

export function loadTimeline(dir = DEMO_DIR): DemoStep[] {
  const raw: unknown = JSON.parse(readFileSync(join(dir, 'timeline.json'), 'utf8'));
  return timelineSchema.parse(raw).steps;
}

function noticeMeta(step: DemoStep): NoticeMeta {
  const n = step.notice;
  return {
    key: n.key,
    title: n.title,
    issuer: n.issuer,
    number: n.number,
    publishedAt: n.publishedAt,
    effectiveAt: n.effectiveAt ?? n.publishedAt,
    urls: n.urls ?? (n.url ? [n.url] : []),
  };
}

/** Records one step of the timeline (a whole catalogue or an adjustment notice) in the app's store. */
export function replayStep(app: App, step: DemoStep, dir = DEMO_DIR): RecordResult {
  const doc = readFileSync(join(dir, step.file), 'utf8');
  const options = { asOf: step.asOf, notice: noticeMeta(step) };
  return step.kind === 'import' ? importCatalogue(app, doc, options) : applyNotice(app, doc, options);
}

/** Replays the whole bundled timeline into a store (tests and benchmarks start from the catalogue it leaves). */
export function replayTimeline(app: App, dir = DEMO_DIR): RecordResult[] {
  return loadTimeline(dir).map((step) => replayStep(app, step, dir));
}

export interface DemoOptions {
  keep: boolean;
  json: boolean;
  /** Folder holding timeline.json and the step documents. */
  dir?: string;
}

function printStep(out: NodeJS.WritableStream, app: App, step: DemoStep, result: RecordResult, position: string, asJson: boolean): void {
  if (asJson) {
    out.write(
      `${JSON.stringify({ step: step.id, kind: step.kind, noticeKey: result.noticeKey, asOf: result.asOf, summary: result.summary, flagged: result.flagged, unparsed: result.unparsed })}\n`,
    );
    return;
  }
  out.write(`━━ Step ${position}: ${step.description}\n`);
  const message = buildChangeMessage({
    changes: result.changes,
    notice: result.notice,
    detectedAt: result.detectedAt,
    gloss: app.gloss,
    unparsedCount: result.unparsed.length,
    baseline: result.baseline,
  });
  out.write(`${renderText(message)}\n\n`);
}

/** Replays the timeline; returns the result of each step. */
export async function runDemo(out: NodeJS.WritableStream, options: DemoOptions): Promise<RecordResult[]> {
  const dir = options.dir ?? DEMO_DIR;
  const steps = loadTimeline(dir);
  const workDir = mkdtempSync(join(tmpdir(), 'exportwatch-demo-'));
  let clock = new Date();
  const app = openApp({ databasePath: join(workDir, 'demo.db'), now: () => clock });
  const results: RecordResult[] = [];
  try {
    steps.forEach((step, i) => {
      // Detection time: shortly after publication, as a poll would have found it.
      clock = new Date(`${step.asOf}T08:05:00Z`);
      const result = replayStep(app, step, dir);
      results.push(result);
      printStep(out, app, step, result, `${i + 1}/${steps.length}`, options.json);
    });
    if (!options.json) {
      const answer = check(app, 'NdFeB magnet');
      out.write(`━━ Then a quick check: exportwatch check NdFeB magnet\n`);
      for (const r of answer.results) {
        out.write(`  ${r.status.toUpperCase()}  ${r.key} ${r.name}${r.matched ? ` — control point ${r.matched.controlPoint}: ${r.matched.text}` : ''}\n`);
      }
      out.write(`  ${answer.note}\n`);
      out.write(options.keep ? `\nDemo database kept at ${join(workDir, 'demo.db')}\n` : '');
    }
    return results;
  } finally {
    app.close();
    if (!options.keep) rmSync(workDir, { recursive: true, force: true });
  }
}
