// Deciding on quarantined change sets: approve records them (if the register has not moved since), reject drops them.
import { summarise } from '../domain/diff.js';
import type { App } from '../app.js';
import { REGISTERS } from '../registers/index.js';
import { techCatalogue } from '../registers/tech-catalogue/index.js';
import { decideQuarantine, getQuarantine, stateHash, type QuarantineRecord } from '../../storage/quarantine.js';
import { recordChanges } from '../../storage/registers.js';
import { setNoticeStatus, getNotice } from '../../storage/notices.js';
import { RecordError } from './catalogue.js';

function pending(app: App, id: number): QuarantineRecord {
  const q = getQuarantine(app.db, id);
  if (!q) throw new RecordError(`there is no quarantined change set ${id}`);
  if (q.status !== 'pending') throw new RecordError(`change set ${id} was already ${q.status} on ${q.decidedAt ?? '?'}`);
  return q;
}

export function approveQuarantine(app: App, id: number): QuarantineRecord {
  const q = pending(app, id);
  const run = app.db.transaction(() => {
    if (stateHash(app.db, q.register) !== q.stateHash) {
      throw new RecordError(`the ${q.register} register changed since change set ${id} was quarantined; reject it and poll again`);
    }
    const module = REGISTERS[q.register] ?? techCatalogue;
    recordChanges(app.db, {
      register: q.register,
      changes: q.changes,
      summary: summarise(q.changes),
      unparsed: q.unparsed,
      asOf: q.asOf,
      noticeKey: q.noticeKey,
      source: 'apply',
      detectedAt: app.now().toISOString(),
      flagged: q.unparsed.length > 0,
      searchText: (e) => module.searchText(e, app.gloss),
    });
    decideQuarantine(app.db, id, 'approved', app.now().toISOString());
    if (q.noticeKey && getNotice(app.db, q.noticeKey))
      setNoticeStatus(app.db, q.noticeKey, q.unparsed.length > 0 ? 'flagged' : 'applied', [`quarantine ${id} approved`]);
  });
  run.immediate();
  return getQuarantine(app.db, id)!;
}

export function rejectQuarantine(app: App, id: number): QuarantineRecord {
  pending(app, id);
  decideQuarantine(app.db, id, 'rejected', app.now().toISOString());
  return getQuarantine(app.db, id)!;
}
