// The technology-catalogue register: identity, status of an entry, and the text it is found by.
import type { Entry, FieldValue } from '../../domain/types.js';
import type { RegisterModule } from '../types.js';

function text(value: FieldValue | undefined): string {
  if (Array.isArray(value)) return value.join('\n');
  return value ?? '';
}

export const techCatalogue: RegisterModule = {
  id: 'tech-catalogue',
  name: 'Catalogue of Technologies Prohibited and Restricted from Export (中国禁止出口限制出口技术目录)',
  keyPattern: /^\d{6}[JX]$/,
  statusOf(fields) {
    return fields.part === 'prohibited' ? 'prohibited' : 'restricted';
  },
  searchText(entry: Entry, gloss) {
    const name = text(entry.fields.name);
    const sector = text(entry.fields.sector);
    const points = Array.isArray(entry.fields.controlPoints) ? entry.fields.controlPoints : [];
    return {
      name: [name, gloss(name) ?? '', sector, gloss(sector) ?? ''].join('\n'),
      points: points.map((p) => `${p}\n${gloss(p) ?? ''}`).join('\n'),
    };
  },
};
