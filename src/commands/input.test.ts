import { describe, expect, it } from 'vitest';
import { cleanQuery, keysInQuery, MAX_QUERY_LENGTH, parseDate, parseDays, UsageError } from './input.js';
import { csvCell } from './export.js';
import { loadConfig, ConfigError } from '../config.js';

describe('query input', () => {
  it('cleans control characters and whitespace', () => {
    expect(cleanQuery('  NdFeB\u0000\tmagnet\u202e ')).toBe('NdFeB magnet');
  });
  it('refuses empty and over-long queries', () => {
    expect(() => cleanQuery(' \u0001 ')).toThrow(UsageError);
    expect(() => cleanQuery('稀'.repeat(MAX_QUERY_LENGTH + 1))).toThrow(/longer than 200/);
  });
  it('finds codes and code prefixes', () => {
    expect(keysInQuery('053302j and 0533 and ０５３３０１Ｊ')).toEqual(['053302J', '0533', '053301J']);
    expect(keysInQuery('NdFeB 12 magnets')).toEqual([]);
  });
  it('validates days and dates', () => {
    expect(parseDays(undefined, 30)).toBe(30);
    expect(parseDays('7', 30)).toBe(7);
    expect(() => parseDays('0', 30)).toThrow(UsageError);
    expect(() => parseDays('1e3', 30)).not.toThrow();
    expect(() => parseDays('abc', 30)).toThrow(/whole number/);
    expect(parseDate('2023-12-21', '--as-of')).toBe('2023-12-21');
    expect(() => parseDate('2023-02-30', '--as-of')).toThrow(/YYYY-MM-DD/);
  });
});

describe('csvCell', () => {
  it('neutralises formulas and quotes separators', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM')).toBe("'@SUM");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
    expect(csvCell('稀土')).toBe('稀土');
  });
});

describe('loadConfig', () => {
  it('prefers --db, then DATABASE_PATH, then the default', () => {
    expect(loadConfig({ DATABASE_PATH: '/tmp/a.db' }, { db: '/tmp/b.db' }).databasePath).toBe('/tmp/b.db');
    expect(loadConfig({ DATABASE_PATH: '/tmp/a.db' }).databasePath).toBe('/tmp/a.db');
    expect(loadConfig({}).databasePath).toBe('./data/exportwatch.db');
    expect(loadConfig({ DATABASE_PATH: '' }).databasePath).toBe('./data/exportwatch.db');
  });
  it('treats blank variables as unset and refuses invalid numbers, naming the variable', () => {
    expect(loadConfig({ DATABASE_PATH: '   ', PORT: '' })).toMatchObject({ databasePath: './data/exportwatch.db', port: 3000 });
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => loadConfig({ QUARANTINE_SHARE: '2' })).toThrow(/QUARANTINE_SHARE/);
  });
  it('reads the watching settings', () => {
    const c = loadConfig({ SOURCES_FILE: 'x.json', HTTP_DELAY_MS: '50', QUARANTINE_SHARE: '0.25', SOURCE_FAILURE_THRESHOLD: '5' });
    expect(c).toMatchObject({ sourcesFile: 'x.json', quarantineShare: 0.25, failureThreshold: 5, http: { perHostDelayMs: 50 } });
  });
});
