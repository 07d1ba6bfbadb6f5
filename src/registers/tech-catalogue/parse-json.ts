// Reader for the project's own JSON export of the technology-catalogue register:
// `{"register":"tech-catalogue","asOf":"YYYY-MM-DD"|null,"entries":[{code,part,sector,name,controlPoints}]}`,
// or a bare array of such entries. The shape is validated with zod; the first problem is
// reported with its path. Part/suffix disagreements and duplicate codes are reported as
// problems (line 0, the entry's path in the text) like in the other formats.

import { z } from 'zod';
import type { TechEntry } from '../../domain/types.js';
import { CODE_PATTERN } from './entry.js';
import { CatalogueBuilder, CatalogueParseError, type BuildResult } from './parse-builder.js';

const EntrySchema = z.object({
  code: z.string().regex(CODE_PATTERN, { message: 'expected a code of six digits followed by J or X' }),
  part: z.enum(['prohibited', 'restricted']),
  sector: z.string(),
  name: z.string().trim().min(1, { message: 'expected a non-empty name' }),
  controlPoints: z.array(z.string()),
});

const DocumentSchema = z.object({
  register: z.literal('tech-catalogue'),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date YYYY-MM-DD or null' })
    .nullable()
    .optional(),
  entries: z.array(EntrySchema),
});

const BareArraySchema = z.array(EntrySchema);

/** `["entries", 2, "code"]` → `entries[2].code`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? 'the top level' : out;
}

function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  return { path: formatPath(issue?.path ?? []), message: issue?.message ?? 'invalid value' };
}

/** Parses the JSON export; throws CatalogueParseError on invalid JSON or a shape that is not a catalogue. */
export function parseJsonCatalogue(doc: string): BuildResult {
  let data: unknown;
  try {
    data = JSON.parse(doc.replace(/^\ufeff/, ''));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new CatalogueParseError(`The document is not valid JSON (${why.replace(/\.$/, '')}).`);
  }
  const parsed = Array.isArray(data) ? BareArraySchema.safeParse(data) : DocumentSchema.safeParse(data);
  if (!parsed.success) {
    const { path, message } = firstIssue(parsed.error);
    throw new CatalogueParseError(`The JSON document is not a technology catalogue: at ${path}, ${message.replace(/\.$/, '')}.`);
  }
  const entries: TechEntry[] = Array.isArray(parsed.data) ? parsed.data : parsed.data.entries;
  const prefix = Array.isArray(parsed.data) ? '' : 'entries';
  const builder = new CatalogueBuilder(false);
  entries.forEach((e, i) => {
    builder.addEntry({ code: e.code, part: e.part, sector: e.sector, name: e.name, controlPoints: [...e.controlPoints] }, `${prefix}[${i}]`);
  });
  return builder.finish();
}
