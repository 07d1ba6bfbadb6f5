// The first three notices of test/fixtures/mofcom-day on a fake MOFCOM, and a sources file watching it: what the
// Slack and Teams suites poll to get real alerts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeMofcom, type FakeMofcom } from './mofcom.js';

const DAY = join(import.meta.dirname, '..', 'fixtures', 'mofcom-day');
const FILES = ['01-2025-61-dual-use-rare-earth-technology.html', '02-2025-70-suspension.html', '03-2026-94-tech-catalogue-adjustment.html'];
const TITLES = ['商务部公告2025年第61号', '商务部公告2025年第70号', '商务部 科技部公告2026年第94号'];
const DATES = ['2025-10-09', '2025-11-07', '2026-11-02'];

/** Starts the fake with the notices at `/article/gndt/202611/<firstId + i>.html` and writes `<dirPath>/sources.json`. */
export async function fakeMofcomDay(dirPath: string, firstId: number): Promise<{ fake: FakeMofcom; sourcesFile: string }> {
  const path = (i: number) => `/article/gndt/202611/${firstId + i}.html`;
  const fake = await startFakeMofcom({
    listings: FILES.map((_, i) => ({ title: TITLES[i]!, path: path(i), date: DATES[i]!, column: 9 })).reverse(),
    documents: FILES.map((f, i) => ({ path: path(i), html: readFileSync(join(DAY, f), 'utf8') })),
  });
  const sourcesFile = join(dirPath, 'sources.json');
  writeFileSync(
    sourcesFile,
    JSON.stringify({ sources: [{ id: 'exportcontrol', kind: 'export-control-columns', baseUrl: fake.baseUrl, columns: [9], every: '15m' }] }),
  );
  return { fake, sourcesFile };
}
