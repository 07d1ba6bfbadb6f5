// Wires configuration, the store and the glossary together; used by the CLI (and later the server).
import { loadGlossary, glossChinese, type Glossary } from './domain/glossary.js';
import { openDatabase, type Db } from '../storage/db.js';
import { ensureRegister } from '../storage/registers.js';
import { REGISTERS } from './registers/index.js';
import { loadTopics, type Topics } from './domain/topics.js';

export interface App {
  db: Db;
  glossary: Glossary;
  topics: Topics;
  gloss: (zh: string) => string | null;
  now: () => Date;
  close(): void;
}

export interface AppOptions {
  databasePath: string;
  glossary?: Glossary;
  now?: () => Date;
}

export function openApp(options: AppOptions): App {
  const glossary = options.glossary ?? loadGlossary();
  const topics = loadTopics(glossary);
  const db = openDatabase(options.databasePath);
  for (const register of Object.values(REGISTERS)) ensureRegister(db, register.id, register.name);
  return {
    db,
    glossary,
    topics,
    gloss: (zh) => glossChinese(glossary, zh),
    now: options.now ?? (() => new Date()),
    close: () => db.close(),
  };
}
