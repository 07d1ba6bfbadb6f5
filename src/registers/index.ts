// The registry of registers: a new list is a new folder plus one line here.
// Order matters where key patterns overlap: codes and notice keys before the entity lists, whose keys are names.
import { dualUse } from './dual-use/index.js';
import { exportControlList, unreliableEntityList, watchList } from './entity-lists/index.js';
import { measures } from './measures/index.js';
import { techCatalogue } from './tech-catalogue/index.js';
import type { RegisterModule } from './types.js';

export const REGISTERS: Readonly<Record<string, RegisterModule>> = {
  [techCatalogue.id]: techCatalogue,
  [dualUse.id]: dualUse,
  [measures.id]: measures,
  [exportControlList.id]: exportControlList,
  [watchList.id]: watchList,
  [unreliableEntityList.id]: unreliableEntityList,
};

export function registerModule(id: string): RegisterModule {
  const module = REGISTERS[id];
  if (!module) throw new Error(`unknown register ${id}; known: ${Object.keys(REGISTERS).join(', ')}`);
  return module;
}
