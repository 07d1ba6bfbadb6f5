// The CLI against a real SQLite file: JSON contracts, exit codes and error messages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_DIR } from '../src/demo.js';
import { runCli, tempDir } from './helpers.js';

const demo = (file: string): string => join(DEMO_DIR, file);
let dir: ReturnType<typeof tempDir>;
let db: string;

beforeEach(() => {
  dir = tempDir();
  db = join(dir.path, 'cli.db');
});
afterEach(() => dir.remove());

const cli = (...args: string[]) => runCli(['--db', db, ...args]);

async function loadBaseline(): Promise<void> {
  const r = await cli('import', demo('01-catalogue-2008.txt'), '--as-of', '2008-11-01', '--notice', 'MOFCOM-2008-12', '--json');
  expect(r.code).toBe(0);
}

describe('import', () => {
  it('prints the JSON contract and records the state', async () => {
    const r = await cli('import', demo('01-catalogue-2008.txt'), '--as-of', '2008-11-01', '--notice', 'MOFCOM-2008-12', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary).toEqual({ added: 31, removed: 0, modified: 0, moved: 0 });
    expect(out.unparsed).toEqual([]);
    expect(out.changes[0]).toEqual(
      expect.objectContaining({ kind: 'added', register: 'tech-catalogue', key: expect.stringMatching(/^\d{6}[JX]$/), before: null, fieldChanges: [] }),
    );
    expect(out.changes[0].after).toEqual(expect.objectContaining({ part: expect.any(String), name: expect.any(String), controlPoints: expect.any(Array) }));
    const count = await cli('export', '--json');
    expect(JSON.parse(count.stdout).entries).toHaveLength(31);
  });

  it('uses DATABASE_PATH when --db is not given', async () => {
    const r = await runCli(['import', demo('01-catalogue-2008.txt'), '--as-of', '2008-11-01', '--json'], { DATABASE_PATH: db });
    expect(r.code).toBe(0);
    expect(JSON.parse((await cli('export')).stdout).entries).toHaveLength(31);
  });

  it('refuses a document that yields no entries, with one sentence and exit 1', async () => {
    const bad = join(dir.path, 'empty.txt');
    writeFileSync(bad, '这不是目录。\nnothing here\n');
    const r = await cli('import', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^exportwatch: .*no catalogue entries/);
  });

  it('refuses a document with far fewer entries than the register unless forced', async () => {
    await loadBaseline();
    const small = join(dir.path, 'small.txt');
    writeFileSync(small, '一、禁止出口部分\n（一）农业\n1．编号：050304J\n技术名称：蚕类品种\n控制要点：1．蚕遗传资源\n');
    const refused = await cli('import', small, '--as-of', '2009-01-01');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/1 entries but the register holds 31/);
    expect(JSON.parse((await cli('export')).stdout).entries).toHaveLength(31);
    const forced = await cli('import', small, '--as-of', '2009-01-01', '--force', '--json');
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).summary.removed).toBe(30);
  });

  it('refuses a document with passages it could not place unless forced', async () => {
    const messy = join(dir.path, 'messy.txt');
    writeFileSync(messy, '一、禁止出口部分\n（一）农业\n1．编号：050304J\n技术名称：蚕类品种\n控制要点：1．蚕遗传资源\n2．编号：12345J\n技术名称：坏编号\n');
    const r = await cli('import', messy);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not place .*--force/);
    expect((await cli('import', messy, '--force', '--json')).code).toBe(0);
  });
});

describe('apply', () => {
  it('applies a notice, reading its key and date from the head block', async () => {
    await loadBaseline();
    const r = await cli('apply', demo('02-notice-2020-38.html'), '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.noticeKey).toBe('MOFCOM-2020-38');
    expect(out.asOf).toBe('2020-08-28');
    expect(out.summary).toEqual({ added: 2, removed: 5, modified: 5, moved: 0 });
    const silk = out.changes.find((c: { key: string }) => c.key === '050304J');
    expect(silk.fieldChanges).toEqual([
      { field: 'controlPoints', kind: 'item-changed', index: 0, before: '蚕遗传资源', after: '除杂交一代蚕品种以外的蚕遗传资源' },
    ]);
  });

  it('refuses to apply the same notice twice and leaves the state alone', async () => {
    await loadBaseline();
    expect((await cli('apply', demo('02-notice-2020-38.html'))).code).toBe(0);
    const again = await cli('apply', demo('02-notice-2020-38.html'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/MOFCOM-2020-38 was already recorded/);
    expect(JSON.parse((await cli('export')).stdout).entries).toHaveLength(28);
  });

  it('refuses to apply a notice to an empty register', async () => {
    const r = await cli('apply', demo('02-notice-2020-38.html'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/import a whole catalogue before/);
  });

  it('flags unreadable clauses and totals mismatches but applies the rest', async () => {
    await loadBaseline();
    const notice = join(dir.path, 'notice.txt');
    writeFileSync(
      notice,
      [
        '商务部 科技部公告2030年第1号',
        '本次调整删除技术条目2项。',
        '一、禁止出口部分',
        '1.删去微生物肥料技术（编号：050302J）条目。',
        '2.将某技术（编号：050304J）的全部内容按附件重新表述。',
      ].join('\n'),
    );
    const r = await cli('apply', notice, '--as-of', '2030-01-01', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.flagged).toBe(true);
    expect(out.summary.removed).toBe(1);
    expect(out.unparsed).toEqual([expect.objectContaining({ clause: '2', text: expect.stringContaining('050304J') })]);
    expect(out.totalsMismatch).toEqual([expect.stringMatching(/2.*1|1.*2/)]);
  });

  it('asks for --notice when the notice number cannot be found', async () => {
    await loadBaseline();
    const notice = join(dir.path, 'anon.txt');
    writeFileSync(notice, '一、禁止出口部分\n1.删去微生物肥料技术（编号：050302J）条目。\n');
    const r = await cli('apply', notice, '--as-of', '2030-01-01');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pass --notice KEY/);
    const ok = await cli('apply', notice, '--as-of', '2030-01-01', '--notice', 'MOFCOM-2030-2', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).noticeKey).toBe('MOFCOM-2030-2');
  });
});

describe('diff', () => {
  it('compares two documents of different formats without a database', async () => {
    const r = await runCli(['--db', join(dir.path, 'never.db'), 'diff', demo('01-catalogue-2008.txt'), demo('03-catalogue-2023.html'), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['summary', 'changes', 'unparsed']);
    expect(out.summary.added).toBeGreaterThan(0);
    expect(out.changes.find((c: { kind: string }) => c.kind === 'moved')).toMatchObject({ key: '052706X', fromKey: '052706J' });
  });
});

describe('queries', () => {
  beforeEach(loadBaseline);

  it('check prints the JSON contract', async () => {
    const r = await cli('check', 'rare', 'earth', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.query).toBe('rare earth');
    expect(out.results[0]).toEqual(
      expect.objectContaining({
        register: 'tech-catalogue',
        key: '053302J',
        name: '稀土的提炼、加工、利用技术',
        status: 'prohibited',
        validFrom: '2008-11-01',
      }),
    );
  });

  it('check says when nothing matches, that it is not a clearance', async () => {
    const r = await cli('lookup', 'zzzz');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^No match for "zzzz"/);
    expect(r.stdout).toMatch(/No match is not a clearance/);
  });

  it('item prints the JSON contract, and an unknown code is exit 1', async () => {
    const r = await cli('item', '053302j', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['register', 'key', 'current', 'history']);
    expect(out.current).toMatchObject({ status: 'prohibited', validFrom: '2008-11-01' });
    const missing = await cli('item', '999999X');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/999999X is not in the tech-catalogue register/);
    const notACode = await cli('item', 'hello');
    expect(notACode.code).toBe(2);
  });

  it('history and recent list recorded changes', async () => {
    await cli('apply', demo('02-notice-2020-38.html'));
    const h = await cli('history', '050302J', '--json');
    expect(JSON.parse(h.stdout).changes.map((c: { kind: string; noticeKey: string }) => [c.kind, c.noticeKey])).toEqual([
      ['added', 'MOFCOM-2008-12'],
      ['removed', 'MOFCOM-2020-38'],
    ]);
    const recent = await cli('recent', '--days', '3650', '--json');
    expect(JSON.parse(recent.stdout).changes.length).toBe(31 + 12);
  });

  it('exports entries and the audit trail as CSV', async () => {
    await cli('apply', demo('02-notice-2020-38.html'));
    const entries = await cli('export', '--format', 'csv');
    expect(entries.stdout.split('\n')[0]).toBe('register,code,part,sector,name,control_points');
    const out = join(dir.path, 'changes.csv');
    const changes = await cli('export', '--what', 'changes', '--format', 'csv', '--output', out);
    expect(changes.code).toBe(0);
    const csv = readFileSync(out, 'utf8');
    expect(csv).toContain('MOFCOM-2020-38');
    expect(csv.split('\n')[0]).toMatch(/^detected_at,valid_from,notice_key/);
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate']],
    [['import']],
    [['import', 'no-such-file.txt']],
    [['item', '053302J', '--as-of', '2023-13-01']],
    [['recent', '--days', 'many']],
    [['export', '--format', 'xml']],
    [['check', '   ']],
  ])('exits 2 for %j', async (args) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  it('exits 0 for --help', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: exportwatch/);
    expect(r.stdout).toMatch(/import/);
  });
});

describe('the installed command', () => {
  it('runs through bin/exportwatch.js with real exit codes', () => {
    const bin = resolve(import.meta.dirname, '..', 'bin', 'exportwatch.js');
    const ok = spawnSync(process.execPath, [bin, '--db', db, 'import', demo('01-catalogue-2008.txt'), '--json'], { encoding: 'utf8', cwd: dir.path });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).summary.added).toBe(31);
    const bad = spawnSync(process.execPath, [bin, '--db', db, 'item', '123456J'], { encoding: 'utf8', cwd: dir.path });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe('exportwatch: 123456J is not in the tech-catalogue register and never was\n');
  });
});
