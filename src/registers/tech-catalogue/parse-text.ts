// Reader for the labelled-text layout of the technology catalogue (the 2008 catalogue and its
// reprints): part headings, sector headings, then per entry an optional ordinal and the fields
// 编号 / 技术名称 / 控制要点. The line logic lives in CatalogueBuilder; this file feeds it lines.

import { tidyText } from './normalise.js';
import { CatalogueBuilder, matchPartHeading, type BuildResult } from './parse-builder.js';

/** Parses a labelled-text catalogue. Never throws; an empty result is the caller's concern. */
export function parseTextCatalogue(doc: string): BuildResult {
  const lines = tidyText(doc).split('\n');
  const builder = new CatalogueBuilder(lines.some((l) => matchPartHeading(l) !== null));
  lines.forEach((text, i) => builder.textLine(text, i + 1));
  return builder.finish();
}
