// The dual-use items list (两用物项出口管制清单): one entry per control code, with its description,
// reference customs codes and the measure that put it under control.
import type { Change, Entry, FieldValue } from '../../domain/types.js';
import { lifecycleActions } from '../measures/lifecycle.js';
import { applyToGoverned, refineStatusChange } from '../measures/status.js';
import { effectiveDateOf, noticeLines } from '../measures/text.js';
import type { NoticeDocument, RegisterModule, RegisterUpdate } from '../types.js';
import { normaliseControlCode, parseDualUseItems } from './parse.js';

export const DUAL_USE = 'dual-use';

function text(value: FieldValue | undefined): string {
  return Array.isArray(value) ? value.join('\n') : (value ?? '');
}

/**
 * The dual-use list after a notice: every item it prints (by `管制编码`) is added or updated, controlled
 * from the notice's effective date; a lifecycle notice suspends, resumes or removes the items whose
 * measure it names. Null when the notice prints no control code and acts on no item's measure.
 */
export function dualUseFromNotice(notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null {
  const parsed = parseDualUseItems(noticeLines(notice));
  const state = new Map(current.map((e) => [e.key, e]));
  const effectiveAt = effectiveDateOf(notice);
  for (const item of parsed.items) {
    state.set(item.code, {
      register: DUAL_USE,
      key: item.code,
      fields: { description: item.description, customsCodes: item.customsCodes, measure: notice.key, effectiveAt, status: 'controlled', suspendedUntil: null },
    });
  }
  const actions = lifecycleActions({
    key: notice.key,
    number: notice.number,
    title: notice.title,
    text: notice.text,
    issuer: notice.issuer,
    publishedAt: notice.publishedAt,
  });
  const touched = applyToGoverned(state, actions, 'measure', 'controlled');
  if (parsed.items.length === 0 && parsed.unparsed.length === 0 && touched.length === 0) return null;
  return { after: [...state.values()], unparsed: parsed.unparsed, flags: parsed.flags };
}

export const dualUse: RegisterModule = {
  id: DUAL_USE,
  name: 'Dual-use items export control list (两用物项出口管制清单)',
  keyPattern: /^\d[A-E]\d{3}(\.[A-Z])*$/i,
  normaliseKey(input) {
    const compact = input.normalize('NFKC').replace(/\s+/g, '');
    return normaliseControlCode(compact) ?? compact.toUpperCase();
  },
  statusOf(fields) {
    return typeof fields.status === 'string' ? fields.status : 'controlled';
  },
  searchText(entry: Entry, gloss) {
    const description = text(entry.fields.description);
    return {
      name: [entry.key, description, gloss(description) ?? ''].join('\n'),
      points: [text(entry.fields.customsCodes), text(entry.fields.measure), text(entry.fields.effectiveAt)].filter((s) => s !== '').join('\n'),
    };
  },
  fromNotice: dualUseFromNotice,
  refineChange(change: Change) {
    return refineStatusChange(change);
  },
};
