// The three entity lists: export control list (出口管制管控名单), watch list (关注名单) and the
// Unreliable Entity List (不可靠实体清单). One parser, three registers. An entity leaves a list only by
// an explicit notice: 移出 naming it, or a notice that stops, cancels or repeals the notice that listed it.
import type { Change, Entry, FieldValue } from '../../domain/types.js';
import type { EntityListId } from '../classify.js';
import { lifecycleActions } from '../measures/lifecycle.js';
import { applyToGoverned, refineStatusChange } from '../measures/status.js';
import type { NoticeDocument, RegisterModule, RegisterUpdate } from '../types.js';
import { entityKey, parseEntityNotice, type ParsedEntity } from './parse.js';

export { entityKey };

const LIST_NAMES: Record<EntityListId, string> = {
  'export-control-list': 'Export control list (出口管制管控名单)',
  'watch-list': 'Watch list (关注名单)',
  'unreliable-entity-list': 'Unreliable Entity List (不可靠实体清单)',
};

function str(value: FieldValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function list(value: FieldValue | undefined): string[] {
  return Array.isArray(value) ? [...value] : [];
}

function text(value: FieldValue | undefined): string {
  return Array.isArray(value) ? value.join('\n') : (value ?? '');
}

/** The entry already on the list that a printed entity means: same key, else same Chinese or English name or alias. */
function findListed(state: Map<string, Entry>, entity: ParsedEntity): Entry | undefined {
  const key = entityKey(entity.nameEn ?? entity.nameZh ?? '');
  const direct = state.get(key);
  if (direct) return direct;
  const names = new Set([entity.nameZh, entity.nameEn, ...entity.aliases].filter((n): n is string => n !== null).map(entityKey));
  for (const e of state.values()) {
    const theirs = [str(e.fields.nameZh), str(e.fields.nameEn), ...list(e.fields.aliases)].filter((n): n is string => n !== null).map(entityKey);
    if (theirs.some((n) => n !== '' && names.has(n))) return e;
  }
  return undefined;
}

function listedFields(entity: ParsedEntity, old: Record<string, FieldValue> | undefined, by: string): Record<string, FieldValue> {
  const aliases = [...list(old?.aliases)];
  for (const a of entity.aliases) if (!aliases.includes(a)) aliases.push(a);
  return {
    nameZh: entity.nameZh ?? str(old?.nameZh),
    nameEn: entity.nameEn ?? str(old?.nameEn),
    address: entity.address ?? str(old?.address),
    postcode: entity.postcode ?? str(old?.postcode),
    aliases,
    country: entity.country ?? str(old?.country),
    listedBy: by,
    status: 'listed',
    suspendedUntil: null,
  };
}

/** One list's state after a notice; null when the notice neither lists on, removes from, nor acts on a listing of this list. */
export function entityListFromNotice(listId: EntityListId, notice: NoticeDocument, current: readonly Entry[]): RegisterUpdate | null {
  const parsed = parseEntityNotice(notice);
  const mine = parsed.entities.filter((e) => e.list === listId);
  const state = new Map(current.map((e) => [e.key, e]));
  const flags: string[] = [];
  const concerned = parsed.heading.list === listId || mine.length > 0;
  if (concerned) flags.push(...parsed.flags);
  for (const entity of mine) {
    const listed = findListed(state, entity);
    const label = entity.nameEn ?? entity.nameZh ?? entity.number;
    if (entity.action === 'remove') {
      if (listed) state.delete(listed.key);
      else flags.push(`"${label}" (entity ${entity.number}) is to be removed but is not on the ${listId}`);
      continue;
    }
    const key = listed?.key ?? entityKey(entity.nameEn ?? entity.nameZh ?? '');
    if (key === '') {
      flags.push(`entity ${entity.number} has no usable name`);
      continue;
    }
    state.set(key, { register: listId, key, fields: listedFields(entity, listed?.fields, notice.key) });
  }
  // A listing or removal notice says by name what it does; only other notices act on earlier listings as a whole.
  const actions =
    parsed.heading.list === null
      ? lifecycleActions({
          key: notice.key,
          number: notice.number,
          title: notice.title,
          text: notice.text,
          issuer: notice.issuer,
          publishedAt: notice.publishedAt,
        })
      : [];
  const touched = applyToGoverned(state, actions, 'listedBy', 'listed');
  if (!concerned && touched.length === 0) return null;
  return { after: [...state.values()], unparsed: concerned ? parsed.unparsed : [], flags: [...new Set(flags)] };
}

function entityModule(id: EntityListId): RegisterModule {
  return {
    id,
    name: LIST_NAMES[id],
    // Entity keys are lower-cased names (`acme dynamics systems inc`): no upper-cased typed key is one, and a
    // pattern matching names would swallow every unknown word. Entities are found by name (`check`), or by
    // `normaliseKey` of the typed name.
    keyPattern: /(?!)/,
    normaliseKey: entityKey,
    statusOf(fields) {
      return str(fields.status) ?? 'listed';
    },
    searchText(entry: Entry, gloss) {
      const nameZh = text(entry.fields.nameZh);
      return {
        name: [nameZh, gloss(nameZh) ?? '', text(entry.fields.nameEn), entry.key, ...list(entry.fields.aliases)].filter((s) => s !== '').join('\n'),
        points: [text(entry.fields.address), text(entry.fields.postcode), text(entry.fields.country), text(entry.fields.listedBy)]
          .filter((s) => s !== '')
          .join('\n'),
      };
    },
    fromNotice: (notice, current) => entityListFromNotice(id, notice, current),
    refineChange(change: Change) {
      return refineStatusChange(change);
    },
  };
}

export const exportControlList = entityModule('export-control-list');
export const watchList = entityModule('watch-list');
export const unreliableEntityList = entityModule('unreliable-entity-list');
