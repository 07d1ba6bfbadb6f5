// What a notice is about, from the words of its title and body: a technology-catalogue adjustment or
// revision, a dual-use control, an entity listing (which lists), a lifecycle action on earlier measures,
// or other export-control news. An unclassified notice is still a notice; nothing here drops one.
import { contextOf, noticeReferences, textActions } from './measures/lifecycle.js';
import { compact } from './measures/text.js';

export type NoticeKind = 'tech-catalogue-adjustment' | 'tech-catalogue-revision' | 'dual-use' | 'entity-listing' | 'lifecycle' | 'other';

export interface NoticeClassification {
  kind: NoticeKind;
  /** The registers the notice may change, `measures` last; empty for `other`. */
  registers: string[];
  /** Which words decided, for logs and reviewers. */
  reason: string;
}

export const ENTITY_LIST_IDS = ['export-control-list', 'watch-list', 'unreliable-entity-list'] as const;
export type EntityListId = (typeof ENTITY_LIST_IDS)[number];

/** Registers whose entries follow the measure that governs them: a lifecycle notice may concern them all. */
const LIFECYCLE_REGISTERS = ['dual-use', ...ENTITY_LIST_IDS, 'measures'];

/** The list a printed list name means. */
export function entityListOf(printed: string): EntityListId | null {
  if (printed.includes('不可靠实体清单')) return 'unreliable-entity-list';
  if (printed.includes('关注名单')) return 'watch-list';
  if (printed.includes('管控名单')) return 'export-control-list';
  return null;
}

/** `列入…管控名单`, `移出…关注名单`, `列入不可靠实体清单` (compacted text). */
export const LIST_ACTION = /(列入|移出)[^。;]{0,60}?(出口管制管控名单|管控名单|关注名单|不可靠实体清单)/g;

const LIFECYCLE_WORD = /继续暂停|暂停(?:实施|执行|适用)|暂停(?![至期到])|恢复(?:实施|执行|适用)|停止(?:实施|执行|适用)|废止|取消|延长暂停|暂停期限?延长/;
const TECH_CATALOGUE = /技术目录|禁止出口限制出口技术/;
const STATEMENT = /答记者问|发言人|新闻发布会|政策解读|问答/;
const CONTROL_CODE = /管制编码[:：]?\(?\d[A-Ea-e]\d{3}/;

function listsIn(text: string): EntityListId[] {
  const out = new Set<EntityListId>();
  for (const m of text.matchAll(LIST_ACTION)) {
    const list = entityListOf(m[2]!);
    if (list) out.add(list);
  }
  return [...out];
}

/** Classifies a notice. `key`/`number` (optional) name the notice itself, so its own number is never read as a target. */
export function classifyNotice(n: { title: string; text: string; key?: string | null; number?: string | null }): NoticeClassification {
  const title = compact(n.title.slice(0, 2_000));
  const body = n.text.slice(0, 500_000);
  const text = compact(body);
  const ctx = contextOf({ title: n.title, text: body, key: n.key ?? null, number: n.number ?? null });

  // 1. A lifecycle verb in the title, with earlier notices named in the title or in the body's lifecycle sentences.
  const titleVerb = LIFECYCLE_WORD.exec(title);
  if (titleVerb) {
    const named = noticeReferences(title, ctx).length > 0 || textActions(body, ctx).length > 0;
    if (named) return lifecycle(ctx.prefix, `title says ${titleVerb[0]} and names earlier notices by number`);
  }
  if (STATEMENT.test(title)) return { kind: 'other', registers: [], reason: 'a statement or interpretation, not a measure' };

  // 2. Entity lists: 列入/移出 + list name, in the title, else in the body.
  const titleLists = listsIn(title);
  const lists = titleLists.length > 0 ? titleLists : listsIn(text.slice(0, 20_000));
  if (lists.length > 0) {
    return {
      kind: 'entity-listing',
      registers: [...lists, 'measures'],
      reason: `${titleLists.length > 0 ? 'title' : 'body'} says 列入/移出 ${lists.join(', ')}`,
    };
  }

  // 3. The technology catalogue: 调整 is an adjustment, 修订/全文/发布《…目录》 a revision.
  const techInTitle = TECH_CATALOGUE.test(title);
  if (techInTitle || (TECH_CATALOGUE.test(text) && !CONTROL_CODE.test(text))) {
    const words = techInTitle ? title : text.slice(0, 5_000);
    const revision = /全文|修订/.test(words) || !/调整/.test(words);
    return {
      kind: revision ? 'tech-catalogue-revision' : 'tech-catalogue-adjustment',
      registers: ['tech-catalogue', 'measures'],
      reason: `${techInTitle ? 'title' : 'body'} names the technology catalogue${revision ? ' as a whole (revision)' : ' with 调整 (adjustment)'}`,
    };
  }

  // 4. Dual-use items: control codes, or a title naming 物项 under 两用物项/出口管制.
  const all = `${title}\n${text}`;
  if (CONTROL_CODE.test(all)) return { kind: 'dual-use', registers: ['dual-use', 'measures'], reason: 'names 管制编码' };
  const announcement = ctx.ownKey !== null || /公告|决定|通知|命令|令$/.test(title);
  if (announcement && /物项/.test(title) && /两用物项|出口管制/.test(all))
    return { kind: 'dual-use', registers: ['dual-use', 'measures'], reason: 'title names 物项 under export control' };

  // 5. A lifecycle sentence in the body.
  const actions = textActions(body, ctx);
  if (actions.length > 0) return lifecycle(ctx.prefix, `body says ${actions[0]!.printedVerb} ${actions[0]!.targets[0]!.printed}`);

  // 6. A body that puts 两用物项 under export control.
  if (announcement && /两用物项/.test(text) && /实施出口管制|出口管制措施/.test(text)) {
    return { kind: 'dual-use', registers: ['dual-use', 'measures'], reason: 'body puts 两用物项 under export control' };
  }

  return { kind: 'other', registers: [], reason: 'no register words (目录, 管制编码, 物项, 名单, lifecycle verbs with a notice number)' };
}

function lifecycle(prefix: string, reason: string): NoticeClassification {
  const registers = prefix === 'MOFCOM-UEL' ? ['unreliable-entity-list', 'measures'] : LIFECYCLE_REGISTERS;
  return { kind: 'lifecycle', registers: [...registers], reason };
}
