// Reading JSON columns back into typed values: the database is a border too.
import { z } from 'zod';
import type { FieldChange, FieldValue, UnparsedClause } from '../src/domain/types.js';

const fieldValue = z.union([z.string(), z.array(z.string()), z.null()]);
export const fieldsSchema = z.record(z.string(), fieldValue);
const fieldChange = z.union([
  z.object({ field: z.string(), kind: z.literal('set'), before: fieldValue, after: fieldValue }),
  z.object({ field: z.string(), kind: z.literal('item-added'), index: z.number().int(), after: z.string() }),
  z.object({ field: z.string(), kind: z.literal('item-removed'), index: z.number().int(), before: z.string() }),
  z.object({ field: z.string(), kind: z.literal('item-changed'), index: z.number().int(), before: z.string(), after: z.string() }),
]);
const unparsed = z.object({ clause: z.string(), text: z.string(), reason: z.string() });

function parseColumn<T>(schema: z.ZodType<T>, text: string, what: string): T {
  const result = schema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`corrupt ${what} column in the database: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

export function readFields(text: string): Record<string, FieldValue> {
  return parseColumn(fieldsSchema, text, 'fields');
}

export function readOptionalFields(text: string | null): Record<string, FieldValue> | null {
  return text === null ? null : readFields(text);
}

export function readFieldChanges(text: string): FieldChange[] {
  return parseColumn(z.array(fieldChange), text, 'field_changes');
}

export function readUnparsed(text: string): UnparsedClause[] {
  return parseColumn(z.array(unparsed), text, 'unparsed');
}

export function readStrings(text: string): string[] {
  return parseColumn(z.array(z.string()), text, 'list');
}
