// The measures register: every classified notice is a measure keyed by its notice key, with its dates
// and a lifecycle (in force, suspended until a date, stopped, repealed) that later notices change by
// naming it by number.
import type { Change, Entry, FieldValue } from '../../domain/types.js';
import { classifyNotice } from '../classify.js';
import type { NoticeDocument, RegisterModule, RegisterUpdate } from '../types.js';
import { lifecycleActions, type LifecycleAction, type NoticeReference } from './lifecycle.js';
import { refineStatusChange } from './status.js';
import { effectiveDateOf } from './text.js';

export const MEASURES = 'measures';
export type MeasureStatus = 'in-force' | 'suspended' | 'stopped' | 'repealed';
/** Title of a measure named by a lifecycle notice before the measure itself was seen. */
export const STUB_TITLE = '(not seen yet)';

function str(value: FieldValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function list(value: FieldValue | undefined): string[] {
  return Array.isArray(value) ? [...value] : [];
}

function text(value: FieldValue | undefined): string {
  return Array.isArray(value) ? value.join('\n') : (value ?? '');
}

/** The measure a notice itself is, keeping any lifecycle already recorded for it (a stub, or a re-read). */
function ownMeasure(notice: NoticeDocument, kind: string, existing: Entry | undefined): Entry {
  const old = existing?.fields ?? {};
  return {
    register: MEASURES,
    key: notice.key,
    fields: {
      title: notice.title,
      number: notice.number,
      kind,
      publishedAt: notice.publishedAt,
      effectiveAt: effectiveDateOf(notice),
      status: str(old.status) ?? 'in-force',
      suspendedUntil: str(old.suspendedUntil),
      lastActionBy: str(old.lastActionBy),
      sections: list(old.sections),
    },
  };
}

function stub(key: string): Entry {
  return {
    register: MEASURES,
    key,
    fields: {
      title: STUB_TITLE,
      number: null,
      kind: null,
      publishedAt: null,
      effectiveAt: null,
      status: 'in-force',
      suspendedUntil: null,
      lastActionBy: null,
      sections: [],
    },
  };
}

/** The fields of a measure after one action on it (or on one of its sections). */
export function actOn(
  fields: Record<string, FieldValue>,
  action: Pick<LifecycleAction, 'verb' | 'until'>,
  target: Pick<NoticeReference, 'section'>,
  by: string,
): Record<string, FieldValue> {
  const status = str(fields.status) ?? 'in-force';
  const sections = list(fields.sections);
  const section = target.section;
  const next: Record<string, FieldValue> = { ...fields, lastActionBy: by };
  switch (action.verb) {
    case 'suspend':
    case 'extend': {
      const until = action.until ?? (action.verb === 'extend' ? str(fields.suspendedUntil) : null);
      const keep = status === 'suspended' && sections.length > 0 && section !== null ? sections : [];
      return { ...next, status: 'suspended', suspendedUntil: until, sections: section === null ? [] : [...new Set([...keep, section])] };
    }
    case 'resume': {
      const left = section === null ? [] : sections.filter((s) => s !== section);
      if (status === 'suspended' && left.length > 0) return { ...next, sections: left };
      return { ...next, status: 'in-force', suspendedUntil: null, sections: [] };
    }
    case 'stop':
    case 'repeal':
    case 'cancel':
      return { ...next, status: action.verb === 'stop' ? 'stopped' : 'repealed', suspendedUntil: null, sections: section === null ? [] : [section] };
  }
}

/** The measures register after a notice; null for a notice classified `other`. */
export function measuresFromNotice(notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null {
  const classification = classifyNotice({ title: notice.title, text: notice.text, key: notice.key, number: notice.number });
  if (classification.kind === 'other') return null;
  const state = new Map(current.map((e) => [e.key, e]));
  const flags: string[] = [];
  state.set(notice.key, ownMeasure(notice, classification.kind, state.get(notice.key)));
  const actions = lifecycleActions({
    key: notice.key,
    number: notice.number,
    title: notice.title,
    text: notice.text,
    issuer: notice.issuer,
    publishedAt: notice.publishedAt,
  });
  if (classification.kind === 'lifecycle' && actions.length === 0) flags.push(`${notice.key} is a lifecycle notice but names no earlier notice it acts on`);
  for (const action of actions) {
    for (const target of action.targets) {
      let entry = state.get(target.key);
      if (!entry) {
        entry = stub(target.key);
        flags.push(`${target.key}, named by ${notice.key} (${action.printedVerb}), is not in the register yet: recorded as a stub measure`);
      } else if (str(entry.fields.status) === 'stopped' || str(entry.fields.status) === 'repealed') {
        flags.push(`${action.printedVerb} ${target.key}: the measure had already ended (${str(entry.fields.status)})`);
      }
      if (action.verb === 'suspend' && action.until === null) flags.push(`${action.printedVerb} ${target.key}: no end date found`);
      state.set(target.key, { ...entry, fields: actOn(entry.fields, action, target, notice.key) });
    }
  }
  return { after: [...state.values()], unparsed: [], flags: [...new Set(flags)] };
}

export const measures: RegisterModule = {
  id: MEASURES,
  name: 'Export-control measures (出口管制措施公告)',
  keyPattern: /^MOFCOM(-[A-Z]+)?-\d{4}-\d+$/,
  normaliseKey(input) {
    return input.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  },
  statusOf(fields) {
    return str(fields.status) ?? 'in-force';
  },
  searchText(entry, gloss) {
    const title = text(entry.fields.title);
    return {
      name: [entry.key, title, gloss(title) ?? '', text(entry.fields.number)].join('\n'),
      points: [
        text(entry.fields.kind),
        text(entry.fields.status),
        text(entry.fields.suspendedUntil),
        text(entry.fields.sections),
        text(entry.fields.lastActionBy),
        text(entry.fields.publishedAt),
        text(entry.fields.effectiveAt),
      ]
        .filter((s) => s !== '')
        .join('\n'),
    };
  },
  fromNotice: measuresFromNotice,
  refineChange(change: Change) {
    return refineStatusChange(change);
  },
};
