// The registry of registers: a new list is a new folder plus one line here.
import { techCatalogue } from './tech-catalogue/index.js';
import type { RegisterModule } from './types.js';

export const REGISTERS: Readonly<Record<string, RegisterModule>> = {
  [techCatalogue.id]: techCatalogue,
};

export function registerModule(id: string): RegisterModule {
  const module = REGISTERS[id];
  if (!module) throw new Error(`unknown register ${id}; known: ${Object.keys(REGISTERS).join(', ')}`);
  return module;
}
