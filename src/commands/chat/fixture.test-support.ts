// A real store for the chat tests: the demo timeline replayed into the technology catalogue, plus a
// dual-use item under a suspended measure, that measure, listed entities and a busy day of listings,
// each recorded through the store as the pipeline records them (with notices and a change-set event).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildChangeMessage } from '../../alerts/change-message.js';
import { changeSetEvent } from '../../alerts/events.js';
import { openApp, type App } from '../../app.js';
import { DEMO_DIR } from '../../demo.js';
import { diff, summarise } from '../../domain/diff.js';
import type { Entry, FieldValue } from '../../domain/types.js';
import { applyNotice, importCatalogue } from '../../pipeline/catalogue.js';
import { REGISTERS } from '../../registers/index.js';
import { saveNotice } from '../../../storage/notices.js';
import { recordEvent } from '../../../storage/outbox.js';
import { currentVersions, recordChanges, toEntries } from '../../../storage/registers.js';

/** "Now" for every test: the demo's last step is 2025; the extra registers change in late November 2026. */
export const NOW = new Date('2026-11-29T00:00:00Z');

interface Step {
  kind: 'import' | 'apply';
  file: string;
  asOf: string;
  notice: { key: string; publishedAt?: string; url?: string };
}

export interface Fixture {
  app: App;
  /** Moves the clock. */
  setNow(date: Date): void;
}

function entry(register: string, key: string, fields: Record<string, FieldValue>): Entry {
  return { register, key, fields };
}

/** Records a register's new state as the pipeline does: diff, refine, store, and the change-set event. */
function record(
  app: App,
  register: string,
  after: Entry[],
  notice: { key: string; title: string; number: string; publishedAt: string; url: string },
  at: string,
): void {
  const module = REGISTERS[register]!;
  saveNotice(app.db, {
    key: notice.key,
    registerId: register,
    title: notice.title,
    issuer: '商务部',
    number: notice.number,
    publishedAt: notice.publishedAt,
    effectiveAt: notice.publishedAt,
    urls: [notice.url],
    textHash: null,
    status: 'applied',
    recordedAt: at,
  });
  const before = toEntries(currentVersions(app.db, register));
  let changes = diff(before, after);
  if (module.refineChange) changes = changes.map((c) => module.refineChange!(c));
  const changeSetId = recordChanges(app.db, {
    register,
    changes,
    summary: summarise(changes),
    unparsed: [],
    asOf: notice.publishedAt,
    noticeKey: notice.key,
    source: 'apply',
    detectedAt: at,
    flagged: false,
    searchText: (e) => module.searchText(e, app.gloss),
  });
  const message = buildChangeMessage({
    register,
    changes,
    notice: { ...notice, effectiveAt: notice.publishedAt, urls: [notice.url] },
    detectedAt: at,
    gloss: app.gloss,
  });
  recordEvent(
    app.db,
    changeSetEvent({ changeSetId, register, changes, noticeKey: notice.key, message, topics: app.topics, gloss: app.gloss, at }),
    [],
    new Date(at),
  );
}

const DUAL_USE_ITEM = {
  description: '稀土磁体制造技术及其载体',
  customsCodes: ['8505111000'],
  measure: 'MOFCOM-2025-61',
  effectiveAt: '2025-11-08',
  status: 'controlled',
  suspendedUntil: null,
};

const MEASURE = {
  title: '商务部公告2025年第61号 关于对稀土相关技术实施出口管制的决定',
  number: '商务部公告2025年第61号',
  kind: 'dual-use',
  publishedAt: '2025-10-09',
  effectiveAt: '2025-11-08',
  status: 'in-force',
  suspendedUntil: null,
  lastActionBy: null,
  sections: [],
};

export function openFixture(databasePath: string): Fixture {
  let clock = new Date('2008-01-01T00:00:00Z');
  const app = openApp({ databasePath, now: () => clock });
  const steps = (JSON.parse(readFileSync(join(DEMO_DIR, 'timeline.json'), 'utf8')) as { steps: Step[] }).steps;
  for (const step of steps) {
    clock = new Date(`${step.asOf}T08:00:00Z`);
    const doc = readFileSync(join(DEMO_DIR, step.file), 'utf8');
    const options = { asOf: step.asOf, notice: { key: step.notice.key, publishedAt: step.notice.publishedAt, urls: step.notice.url ? [step.notice.url] : [] } };
    if (step.kind === 'import') importCatalogue(app, doc, options);
    else applyNotice(app, doc, options);
  }

  const n61 = {
    key: 'MOFCOM-2025-61',
    title: MEASURE.title,
    number: MEASURE.number,
    publishedAt: '2025-10-09',
    url: 'https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_61.html',
  };
  record(app, 'measures', [entry('measures', 'MOFCOM-2025-61', MEASURE)], n61, '2025-10-09T08:00:00.000Z');
  record(app, 'dual-use', [entry('dual-use', '1E902.a', DUAL_USE_ITEM)], n61, '2025-10-09T08:00:00.000Z');

  // Late November 2026: the measure and its item suspended for a year, and entities listed.
  const n97 = {
    key: 'MOFCOM-2026-97',
    title: '商务部公告2026年第97号 关于暂停实施商务部公告2025年第61号的公告',
    number: '商务部公告2026年第97号',
    publishedAt: '2026-11-20',
    url: 'https://www.mofcom.gov.cn/zwgk/zcfb/art/2026/art_97.html',
  };
  const suspended = { status: 'suspended', suspendedUntil: '2027-11-10' };
  record(app, 'measures', [entry('measures', 'MOFCOM-2025-61', { ...MEASURE, ...suspended, lastActionBy: 'MOFCOM-2026-97' })], n97, '2026-11-24T02:00:00.000Z');
  record(app, 'dual-use', [entry('dual-use', '1E902.a', { ...DUAL_USE_ITEM, ...suspended })], n97, '2026-11-24T02:00:00.000Z');

  const n95 = {
    key: 'MOFCOM-2026-95',
    title: '商务部公告2026年第95号 关于将20家美国实体列入出口管制管控名单的公告',
    number: '商务部公告2026年第95号',
    publishedAt: '2026-11-25',
    url: 'https://exportcontrol.mofcom.gov.cn/article/2026/95.html',
  };
  const entities = [
    entry('export-control-list', 'acme dynamics systems inc', {
      nameZh: '阿克米动力系统公司',
      nameEn: 'Acme Dynamics Systems, Inc.',
      address: 'San Diego, California',
      postcode: null,
      aliases: [],
      country: 'US',
      listedBy: 'MOFCOM-2026-95',
      status: 'listed',
      suspendedUntil: null,
    }),
    ...Array.from({ length: 19 }, (_, i) =>
      entry('export-control-list', `polaris avionics unit ${i + 1} llc`, {
        nameZh: `北极星航电第${i + 1}公司`,
        nameEn: `Polaris Avionics Unit ${i + 1} LLC`,
        address: 'Austin, Texas',
        postcode: null,
        aliases: [],
        country: 'US',
        listedBy: 'MOFCOM-2026-95',
        status: 'listed',
        suspendedUntil: null,
      }),
    ),
  ];
  record(app, 'export-control-list', entities, n95, '2026-11-26T03:00:00.000Z');

  clock = NOW;
  return {
    app,
    setNow: (date) => {
      clock = date;
    },
  };
}
