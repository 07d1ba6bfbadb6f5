// Backup while the database is in use, restore into place, owner-only database files.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from './helpers.js';
import { DEMO_DIR } from '../src/demo.js';

let dir: ReturnType<typeof tempDir>;
let db: string;
beforeEach(() => {
  dir = tempDir();
  db = join(dir.path, 'live.db');
});
afterEach(() => dir.remove());

const cli = (...args: string[]) => runCli(['--db', db, ...args]);

describe('backup and restore', () => {
  it('backs up a live database and restores it in place', async () => {
    expect((await cli('import', join(DEMO_DIR, '01-catalogue-2008.txt'), '--as-of', '2008-11-01')).code).toBe(0);
    const backup = join(dir.path, 'backup.db');
    const made = await cli('backup', backup, '--json');
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout).pages).toBeGreaterThan(0);
    expect((await cli('backup', backup)).code).toBe(1);

    expect((await cli('apply', join(DEMO_DIR, '02-notice-2020-38.html'))).code).toBe(0);
    expect(JSON.parse((await cli('export')).stdout).entries).toHaveLength(28);

    expect((await cli('restore', backup)).code).toBe(2);
    const restored = await cli('restore', backup, '--yes', '--json');
    expect(restored.code).toBe(0);
    expect(JSON.parse((await cli('export')).stdout).entries).toHaveLength(31);
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });

  it('refuses a file that is not an ExportWatch backup', async () => {
    const bogus = join(dir.path, 'bogus.db');
    writeFileSync(bogus, 'not a database');
    const r = await cli('restore', bogus, '--yes');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be read as a database|not an ExportWatch database/);
  });

  it('creates new database files readable by their owner only', async () => {
    await cli('export');
    expect(statSync(db).mode & 0o777).toBe(0o600);
  });
});
