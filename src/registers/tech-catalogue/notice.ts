// Adjustment notices of the technology catalogue (2020 No.38, 2025 No.28 and their kind):
// from the notice as published to patches, with everything not understood kept and said.
import type { NoticeParseResult, Patch, UnparsedClause } from '../../domain/types.js';
import { parseClause } from './notice-clause.js';
import { segmentNotice } from './notice-segment.js';
import { noticeText } from './notice-text.js';
import { statedTotals, totalsMismatch } from './notice-totals.js';

export { noticeText };

/**
 * Parses the body of an adjustment notice (HTML or plain text) into patches. Every
 * numbered clause becomes one or more patches or one unparsed clause; gaps in the clause
 * numbering and stray lines after the first clause are reported in `unparsed` too, so a
 * notice with anything there needs review. A text without any numbered clause gives no
 * patches and nothing unparsed: it is not an adjustment notice.
 */
export function parseAdjustmentNotice(doc: string): NoticeParseResult {
  const { segments, loose } = segmentNotice(noticeText(doc));
  const patches: Patch[] = [];
  const unparsed: UnparsedClause[] = [];
  for (const segment of segments) {
    if (segment.kind === 'note') {
      unparsed.push(segment.note);
      continue;
    }
    const { clause } = segment;
    const outcome = parseClause(clause);
    if (outcome.ok) patches.push(...outcome.patches);
    else unparsed.push({ clause: clause.number, text: clause.text, reason: outcome.reason });
  }
  const stated = statedTotals(loose);
  return { patches, unparsed, stated, totalsMismatch: totalsMismatch(stated, patches) };
}
