// Conversion between the technology catalogue's typed entries and the generic register entry form.
import { TECH_CATALOGUE, type Entry, type FieldValue, type Part, type TechEntry } from '../../domain/types.js';

export const CODE_PATTERN = /^\d{6}[JX]$/;

export function partOfCode(code: string): Part {
  return code.endsWith('J') ? 'prohibited' : 'restricted';
}

export function techToEntry(tech: TechEntry): Entry {
  return {
    register: TECH_CATALOGUE,
    key: tech.code,
    fields: { part: tech.part, sector: tech.sector, name: tech.name, controlPoints: [...tech.controlPoints] },
  };
}

function text(value: FieldValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function entryToTech(entry: Pick<Entry, 'key' | 'fields'>): TechEntry {
  const points = entry.fields.controlPoints;
  return {
    code: entry.key,
    part: entry.fields.part === 'prohibited' ? 'prohibited' : 'restricted',
    sector: text(entry.fields.sector),
    name: text(entry.fields.name),
    controlPoints: Array.isArray(points) ? [...points] : [],
  };
}
