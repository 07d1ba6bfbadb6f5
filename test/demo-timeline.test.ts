// Replays the bundled demo timeline through the real pipeline and store and checks every step
// against the outcome written down independently in data/demo/timeline.json.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { openApp, type App } from '../src/app.js';
import { check } from '../src/commands/check.js';
import { exportEntries } from '../src/commands/export.js';
import { item } from '../src/commands/item.js';
import { DEMO_DIR, runDemo } from '../src/demo.js';
import { applyNotice, importCatalogue, type RecordResult } from '../src/pipeline/catalogue.js';
import { parseCatalogue } from '../src/registers/tech-catalogue/parse.js';
import { currentVersions } from '../storage/registers.js';
import { tempDir } from './helpers.js';

interface Expect {
  entries: number;
  prohibited: number;
  restricted: number;
  summary: RecordResult['summary'];
  added?: string[];
  removed?: string[];
  modified?: string[];
  moved?: Array<{ from: string; to: string }>;
}
interface Step {
  id: string;
  kind: 'import' | 'apply';
  file: string;
  asOf: string;
  notice: { key: string; publishedAt?: string; url?: string };
  expect: Expect;
}

const steps = (JSON.parse(readFileSync(join(DEMO_DIR, 'timeline.json'), 'utf8')) as { steps: Step[] }).steps;
const dir = tempDir();
let app: App;
const results: RecordResult[] = [];

beforeAll(() => {
  let clock = new Date('2008-01-01T00:00:00Z');
  app = openApp({ databasePath: join(dir.path, 'demo.db'), now: () => clock });
  for (const step of steps) {
    clock = new Date(`${step.asOf}T08:00:00Z`);
    const doc = readFileSync(join(DEMO_DIR, step.file), 'utf8');
    const options = { asOf: step.asOf, notice: { key: step.notice.key, publishedAt: step.notice.publishedAt, urls: step.notice.url ? [step.notice.url] : [] } };
    results.push(step.kind === 'import' ? importCatalogue(app, doc, options) : applyNotice(app, doc, options));
  }
  clock = new Date('2026-11-29T00:00:00Z');
});

afterAll(() => {
  app.close();
  dir.remove();
});

describe('demo timeline', () => {
  it.each(steps.map((s, i) => [s.id, i] as const))('step %s gives exactly the expected changes', (_id, i) => {
    const step = steps[i]!;
    const result = results[i]!;
    const keys = (kind: string) =>
      result.changes
        .filter((c) => c.kind === kind)
        .map((c) => c.key)
        .sort();
    expect(result.summary).toEqual(step.expect.summary);
    expect(result.unparsed).toEqual([]);
    expect(result.totalsMismatch).toEqual([]);
    expect(result.flagged).toBe(false);
    if (step.expect.added) expect(keys('added')).toEqual([...step.expect.added].sort());
    if (step.expect.removed) expect(keys('removed')).toEqual([...step.expect.removed].sort());
    if (step.expect.modified) expect(keys('modified')).toEqual([...step.expect.modified].sort());
    if (step.expect.moved) {
      expect(result.changes.filter((c) => c.kind === 'moved').map((c) => ({ from: c.fromKey, to: c.key }))).toEqual(step.expect.moved);
    }
  });

  it('keeps the state of every date', () => {
    for (const step of steps) {
      const state = exportEntries(app, step.asOf).entries;
      expect(state).toHaveLength(step.expect.entries);
      expect(state.filter((e) => e.part === 'prohibited')).toHaveLength(step.expect.prohibited);
      expect(state.filter((e) => e.part === 'restricted')).toHaveLength(step.expect.restricted);
    }
    expect(currentVersions(app.db, 'tech-catalogue')).toHaveLength(steps.at(-1)!.expect.entries);
  });

  it('answers checks in English and Chinese against the final state', () => {
    const ndfeb = check(app, 'NdFeB magnet');
    expect(ndfeb.results[0]).toMatchObject({ key: '053302J', status: 'prohibited', matched: { controlPoint: 3 } });
    expect(check(app, '稀土').results.map((r) => r.key)).toContain('053302J');
    expect(check(app, 'lidar').results[0]).toMatchObject({ key: '233901X', status: 'restricted', validFrom: '2023-12-21' });
    expect(check(app, '053302j').results[0]).toMatchObject({ key: '053302J' });
    expect(check(app, 'lithium iron phosphate').results[0]).toMatchObject({ key: '253801X' });
    const none = check(app, 'quantum teleportation widget');
    expect(none.results).toEqual([]);
    expect(none.note).toMatch(/not a clearance/);
    // a technology deleted in 2020 is no longer found
    expect(check(app, '微生物肥料').results).toEqual([]);
  });

  it('shows an entry as it was on an earlier date, with its history', () => {
    const now = item(app, '053302J');
    expect(now.current?.fields.controlPoints).toContain('钐钴、钕铁硼、铈磁体制备技术');
    const before = item(app, '053302J', '2015-01-01');
    expect(before.current?.fields.controlPoints).not.toContain('钐钴、钕铁硼、铈磁体制备技术');
    expect(now.history.map((h) => [h.validFrom, h.createdByNotice])).toEqual([
      ['2008-11-01', 'MOFCOM-2008-12'],
      ['2023-12-21', 'MOFCOM-2023-57'],
    ]);
    const gone = item(app, '050302J');
    expect(gone.current).toBeNull();
    expect(gone.history.at(-1)).toMatchObject({ validTo: '2020-08-28', endedByNotice: 'MOFCOM-2020-38' });
  });

  it('exports a state that parses back to the same entries', () => {
    const exported = exportEntries(app);
    const reparsed = parseCatalogue(JSON.stringify(exported));
    expect(reparsed.format).toBe('json');
    expect(reparsed.problems).toEqual([]);
    expect(reparsed.entries).toEqual(exported.entries);
  });

  it('prints every step through the console adapter in the demo command', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const replay = await runDemo(out, { keep: false, json: false });
    const text = Buffer.concat(chunks).toString('utf8');
    expect(replay.map((r) => r.summary)).toEqual(steps.map((s) => s.expect.summary));
    expect(text).toContain('Step 4/4');
    expect(text).toContain('🔴 Technology export catalogue changed — 1 prohibition added');
    expect(text).toContain('053302J 稀土的提炼、加工、利用技术');
    expect(text).toMatch(/No match is not a clearance/);
  });
});
