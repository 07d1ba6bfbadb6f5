// `export`: the register's state (JSON that `import` reads back, or CSV) or the change history as an audit trail.
import { TECH_CATALOGUE } from '../domain/types.js';
import { allChanges, type RecordedChange } from '../../storage/changes.js';
import { getNotices } from '../../storage/notices.js';
import { currentVersions, latestStateDate, versionsAsOf } from '../../storage/registers.js';
import type { App } from '../app.js';
import { entryToTech } from '../registers/tech-catalogue/entry.js';
import { describeFieldChange } from '../alerts/change-message.js';
import { displayDestination } from '../alerts/destination.js';
import { listDeliveries, type DeliveryRecord } from '../../storage/outbox.js';

/** Quotes a CSV cell; a cell that a spreadsheet would run as a formula is prefixed with an apostrophe. */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvRow(cells: Array<string | number | null>): string {
  return cells.map(csvCell).join(',');
}

export interface RegisterExport {
  register: string;
  asOf: string | null;
  entries: ReturnType<typeof entryToTech>[];
}

export function exportEntries(app: App, asOf?: string): RegisterExport {
  const versions = asOf ? versionsAsOf(app.db, TECH_CATALOGUE, asOf) : currentVersions(app.db, TECH_CATALOGUE);
  return { register: TECH_CATALOGUE, asOf: asOf ?? latestStateDate(app.db, TECH_CATALOGUE), entries: versions.map(entryToTech) };
}

export function entriesCsv(data: RegisterExport): string {
  const lines = [csvRow(['register', 'code', 'part', 'sector', 'name', 'control_points'])];
  for (const e of data.entries)
    lines.push(csvRow([data.register, e.code, e.part, e.sector, e.name, e.controlPoints.map((p, i) => `${i + 1}. ${p}`).join('\n')]));
  return `${lines.join('\n')}\n`;
}

export interface AuditRow {
  detectedAt: string;
  validFrom: string;
  noticeKey: string | null;
  noticeNumber: string | null;
  noticeUrl: string | null;
  register: string;
  kind: string;
  key: string;
  fromKey: string | null;
  severity: string;
  name: string;
  details: string[];
}

function auditRow(c: RecordedChange, notice: { number: string; urls: string[] } | undefined): AuditRow {
  const fields = c.after ?? c.before;
  return {
    detectedAt: c.detectedAt,
    validFrom: c.validFrom,
    noticeKey: c.noticeKey,
    noticeNumber: notice?.number || null,
    noticeUrl: notice?.urls[0] ?? null,
    register: c.register,
    kind: c.kind,
    key: c.key,
    fromKey: c.fromKey ?? null,
    severity: c.severity,
    name: typeof fields?.name === 'string' ? fields.name : '',
    details: c.fieldChanges.map(describeFieldChange),
  };
}

export function exportChanges(app: App): AuditRow[] {
  const changes = [...allChanges(app.db)];
  const notices = getNotices(
    app.db,
    changes.map((c) => c.noticeKey).filter((k): k is string => k !== null),
  );
  return changes.map((c) => auditRow(c, c.noticeKey ? notices.get(c.noticeKey) : undefined));
}

export function changesCsv(rows: readonly AuditRow[]): string {
  const lines = [
    csvRow(['detected_at', 'valid_from', 'notice_key', 'notice_number', 'notice_url', 'register', 'kind', 'key', 'from_key', 'severity', 'name', 'details']),
  ];
  for (const r of rows) {
    lines.push(
      csvRow([
        r.detectedAt,
        r.validFrom,
        r.noticeKey,
        r.noticeNumber,
        r.noticeUrl,
        r.register,
        r.kind,
        r.key,
        r.fromKey,
        r.severity,
        r.name,
        r.details.join('\n'),
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

export type DeliveryAuditRow = Omit<DeliveryRecord, 'destination'> & { destination: string };

/** The delivery audit trail: what was detected, from which notice, who got it, when, with which message id, failures. Destinations with secrets in them are masked. */
export function exportDeliveries(app: App, since?: string): DeliveryAuditRow[] {
  return listDeliveries(app.db, { since }).map((d) => ({ ...d, destination: displayDestination(d.destination) }));
}

export function deliveriesCsv(rows: readonly DeliveryAuditRow[]): string {
  const lines = [
    csvRow([
      'id',
      'kind',
      'event_id',
      'event_kind',
      'severity',
      'register',
      'notice_key',
      'digest_key',
      'title',
      'destination',
      'status',
      'attempts',
      'created_at',
      'sent_at',
      'failed_at',
      'platform_message_id',
      'last_error',
    ]),
  ];
  for (const d of rows) {
    lines.push(
      csvRow([
        d.id,
        d.kind,
        d.eventId,
        d.eventKind,
        d.severity,
        d.register,
        d.noticeKey,
        d.digestKey,
        d.title,
        d.destination,
        d.status,
        d.attempts,
        d.createdAt,
        d.sentAt,
        d.failedAt,
        d.platformMessageId,
        d.lastError,
      ]),
    );
  }
  return `${lines.join('\n')}\n`;
}
