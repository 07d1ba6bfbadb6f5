// `check <query>` (alias `lookup`): every register searched through check(), each hit with its badge,
// key, Chinese name, English gloss, matching control point, date and suspension (MESSAGES.md §4).
import type { Message, MessageItem, MessageLink } from '../../alerts/message.js';
import { SEVERITY_ORDER, type Severity } from '../../domain/types.js';
import type { App } from '../../app.js';
import { getNotice } from '../../../storage/notices.js';
import { latestStateDate } from '../../../storage/registers.js';
import { registerModule } from '../../registers/index.js';
import { CANDIDATES, NO_CLEARANCE_NOTE, rankCheck, type CheckRanking, type RankedHit } from '../check.js';
import { entryText, registerShort, statusBadge, suspendedUntil } from './badges.js';
import { echo, plural } from './text.js';

/** Hits listed in the reply; the rest are counted. */
export const CHECK_SHOWN = 15;
const MAX_TERMS_SHOWN = 4;
const MAX_LINKS = 3;

/** The Chinese the query was searched as, one form per glossary term, when it differs from the query. */
function chineseTerms(ranking: CheckRanking): string[] {
  const zh = ranking.expansion.terms.map((t) => t.zh[0]).filter((t): t is string => t !== undefined && t !== ranking.query);
  return [...new Set(zh)].slice(0, MAX_TERMS_SHOWN);
}

function hitItem(app: App, hit: RankedHit): { item: MessageItem; severity: Severity; notice: string | null } {
  // Search finds current versions only: the hit is the entry as it stands.
  const { register, key, fields, validFrom, createdByNotice } = hit.version;
  const badge = statusBadge(register, registerModule(register).statusOf(fields));
  const { name, english } = entryText(fields, app.gloss);
  const details: string[] = [];
  if (hit.matched) details.push(`control point ${hit.matched.controlPoint}: ${hit.matched.text}`);
  details.push(`${registerShort(register)} · since ${validFrom}`);
  const until = suspendedUntil(fields);
  if (until) details.push(`suspended until ${until}`);
  return {
    item: { code: `${badge.mark} ${badge.word} ${key}`, text: name || hit.name, gloss: english ?? (hit.name ? app.gloss(hit.name) : null), details },
    severity: badge.severity,
    notice: createdByNotice,
  };
}

function officialLinks(app: App, noticeKeys: readonly (string | null)[]): MessageLink[] {
  const links: MessageLink[] = [];
  for (const key of new Set(noticeKeys)) {
    if (key === null || links.length >= MAX_LINKS) continue;
    const url = getNotice(app.db, key)?.urls[0];
    if (url) links.push({ label: links.length === 0 ? 'Open official text (Chinese)' : `Official text of ${key}`, url });
  }
  return links;
}

export function checkReply(app: App, rawQuery: string): Message {
  const ranking = rankCheck(app, rawQuery);
  // Counted up to CANDIDATES (the most the search returns); only the first CHECK_SHOWN are looked at further.
  const results = ranking.hits.slice(0, CANDIDATES);
  const answer = { results, more: ranking.hits.length > CANDIDATES };
  const query = echo(ranking.query, 60);
  const terms = chineseTerms(ranking);
  const searched = terms.length > 0 ? ` (${terms.join(', ')})` : '';
  const asOf = latestStateDate(app.db, 'tech-catalogue');
  const subtitle = asOf ? `Technology catalogue as of ${asOf}; all registers searched` : 'All registers searched';
  if (answer.results.length === 0) {
    return {
      title: `No match for "${query}"${searched}`,
      severity: 'info',
      subtitle,
      links: [],
      sections: [],
      omitted: 0,
      context: ['Try a Chinese term, a code (053302J, 1E902.a) or fewer words.', NO_CLEARANCE_NOTE],
    };
  }
  const hits = answer.results.slice(0, CHECK_SHOWN).map((r) => hitItem(app, r));
  const count = answer.more ? `More than ${answer.results.length} matches` : plural(answer.results.length, 'match', 'matches');
  const hidden = answer.results.length - hits.length;
  const severity = hits.map((h) => h.severity).sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0] ?? 'info';
  const items = hits.map((h) => h.item);
  if (hidden > 0 || answer.more) {
    items.push({
      code: '…',
      text: answer.more ? `and more than ${hidden} others: refine the query` : `and ${hidden} more: refine the query`,
      gloss: null,
      details: [],
    });
  }
  return {
    title: `${count} for "${query}"${searched}`,
    severity,
    subtitle,
    links: officialLinks(
      app,
      hits.map((h) => h.notice),
    ),
    sections: [{ heading: 'Matches', items }],
    omitted: 0,
    context: ['Glosses are for orientation only, not official translations.', NO_CLEARANCE_NOTE],
  };
}
