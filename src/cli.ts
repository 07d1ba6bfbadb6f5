// The `exportwatch` command line: import, apply, diff, check, item, history, recent, export, demo.
// Exit codes: 0 success, 1 runtime error, 2 bad usage. Errors go to stderr as one sentence.
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { backupDatabase, restoreDatabase } from '../storage/backup.js';
import { openApp, type App } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { registerWatchCommands } from './cli-watch.js';
import { registerAlertCommands } from './cli-alerts.js';
import type { CatalogueFormat, Change, UnparsedClause } from './domain/types.js';
import { buildChangeMessage, describeFieldChange } from './alerts/change-message.js';
import { renderText } from '../adapters/console/render.js';
import { check, type CheckAnswer } from './commands/check.js';
import { changesCsv, deliveriesCsv, entriesCsv, exportChanges, exportDeliveries, exportEntries } from './commands/export.js';
import { parseDate, parseDays, UsageError } from './commands/input.js';
import { history, item, type HistoryAnswer, type ItemAnswer } from './commands/item.js';
import { applyNotice, diffDocuments, importCatalogue, type RecordResult } from './pipeline/catalogue.js';
import { recentChanges } from '../storage/changes.js';
import { runDemo } from './demo.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Largest document the CLI reads; real catalogues are well under 5 MB. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** Reads a document as text: UTF-8, or GB18030 (which covers GBK and GB2312) when it is not valid UTF-8. */
export function readDocument(path: string): string {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UsageError(`cannot read ${path}: no such file`);
  }
  if (size > MAX_DOCUMENT_BYTES) throw new UsageError(`${path} is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`);
  const bytes = readFileSync(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('gb18030').decode(bytes);
  }
  return text.replace(/^\uFEFF/, '');
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function changeJson(c: Change): Record<string, unknown> {
  return {
    kind: c.kind,
    register: c.register,
    key: c.key,
    ...(c.fromKey ? { fromKey: c.fromKey } : {}),
    severity: c.severity,
    before: c.before,
    after: c.after,
    fieldChanges: c.fieldChanges,
  };
}

function unparsedText(unparsed: readonly UnparsedClause[], mismatches: readonly string[] = []): string {
  if (unparsed.length === 0 && mismatches.length === 0) return '';
  const lines = ['', `⚠️ Flagged for review: ${unparsed.length} clause(s) not applied${mismatches.length ? `, ${mismatches.length} totals mismatch(es)` : ''}`];
  for (const u of unparsed) lines.push(`  [${u.clause || '-'}] ${u.reason}: ${u.text}`);
  for (const m of mismatches) lines.push(`  [totals] ${m}`);
  return `${lines.join('\n')}\n`;
}

function recordOutput(app: App, result: RecordResult, asJson: boolean): string {
  if (asJson) {
    return json({
      summary: result.summary,
      changes: result.changes.map(changeJson),
      unparsed: result.unparsed,
      totalsMismatch: result.totalsMismatch,
      flagged: result.flagged,
      noticeKey: result.noticeKey,
      asOf: result.asOf,
      detectedAt: result.detectedAt,
    });
  }
  const message = buildChangeMessage({
    changes: result.changes,
    notice: result.notice,
    detectedAt: result.detectedAt,
    gloss: app.gloss,
    unparsedCount: result.unparsed.length,
    baseline: result.baseline,
    maxItems: 1000,
  });
  return `${renderText(message)}\n${unparsedText(result.unparsed, result.totalsMismatch)}`;
}

function checkText(answer: CheckAnswer): string {
  const n = answer.results.length;
  const lines = [
    `${n === 0 ? 'No match' : `${n} match${n === 1 ? '' : 'es'}`} for "${answer.query}"${answer.searchedFor.length ? ` (searched: ${answer.searchedFor.slice(0, 8).join(', ')})` : ''}`,
  ];
  for (const r of answer.results) {
    const mark = r.status === 'prohibited' ? '🔴 PROHIBITED' : r.status === 'restricted' ? '🟠 RESTRICTED' : r.status.toUpperCase();
    const gloss = r.gloss ? ` (gloss: ${r.gloss})` : '';
    const matched = r.matched ? ` — control point ${r.matched.controlPoint}: ${r.matched.text}` : '';
    lines.push(`${mark}  ${r.key} ${r.name}${gloss}${matched} — since ${r.validFrom} [${r.register}]`);
  }
  lines.push(answer.note);
  return `${lines.join('\n')}\n`;
}

function fieldsText(fields: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (Array.isArray(v)) {
      lines.push(`  ${k}:`);
      v.forEach((p, i) => lines.push(`    ${i + 1}. ${String(p)}`));
    } else lines.push(`  ${k}: ${String(v)}`);
  }
  return lines;
}

function itemText(answer: ItemAnswer, gloss: (zh: string) => string | null): string {
  const lines: string[] = [];
  if (answer.current) {
    const name = String(answer.current.fields.name ?? '');
    const g = gloss(name);
    lines.push(`${answer.key} — ${answer.current.status.toUpperCase()} (${answer.register}) as of ${answer.current.asOf}`);
    if (g) lines.push(`  gloss: ${g}`);
    lines.push(...fieldsText(answer.current.fields));
  } else {
    lines.push(`${answer.key} is not in force on the requested date (${answer.register}).`);
  }
  lines.push('', 'History:');
  for (const v of answer.history) {
    lines.push(
      `  ${v.validFrom} → ${v.validTo ?? 'now'}  ${v.status}${v.createdByNotice ? `  by ${v.createdByNotice}` : ''}${v.endedByNotice ? `, ended by ${v.endedByNotice}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function historyText(answer: HistoryAnswer): string {
  const lines = [`History of ${answer.key} (${answer.register}):`];
  for (const c of answer.changes) {
    const from = c.fromKey ? ` from ${c.fromKey}` : '';
    lines.push(`  ${c.validFrom}  ${c.kind.toUpperCase()}${from}  ${c.noticeNumber ?? c.noticeKey ?? ''}${c.noticeUrl ? `  ${c.noticeUrl}` : ''}`);
    for (const f of c.fieldChanges) lines.push(`      ${describeFieldChange(f)}`);
  }
  return `${lines.join('\n')}\n`;
}

const FORMATS: readonly CatalogueFormat[] = ['text', 'html', 'json'];

export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const out = (text: string): void => {
    io.stdout.write(text);
  };
  const program = new Command();
  program
    .name('exportwatch')
    .description("Keeps the state of China's export-control lists and tells what changed.")
    .option('--db <path>', 'SQLite database file (default: $DATABASE_PATH, else ./data/exportwatch.db)')
    .option('--sources <file>', 'sources file, YAML or JSON (default: $SOURCES_FILE, else ./config/sources.yaml)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run exportwatch --help for usage)');

  const config = (): Config => {
    const opts = program.opts<{ db?: string; sources?: string }>();
    return loadConfig(io.env, { db: opts.db, sources: opts.sources });
  };
  const withApp = async <T>(fn: (app: App) => T | Promise<T>): Promise<T> => {
    const { databasePath, clock } = config();
    const app = openApp({ databasePath, now: clock?.now });
    try {
      return await fn(app);
    } finally {
      app.close();
    }
  };
  registerWatchCommands(program, { io, out, config, withApp });
  registerAlertCommands(program, { io, out, config, withApp });
  const formatOption = new Option('--format <format>', 'force the document format').choices(FORMATS);

  program
    .command('import')
    .description('load a whole catalogue document (labelled text, HTML tables or our JSON) as the new state')
    .argument('<file>', 'catalogue document')
    .option('--as-of <date>', 'date the new state takes effect (YYYY-MM-DD); default: the notice date, else today')
    .option('--notice <key>', 'key of the notice this document belongs to, e.g. MOFCOM-2023-57')
    .addOption(formatOption)
    .option('--force', 'record even if the parser reported problems or the document is much smaller than the register')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { asOf?: string; notice?: string; format?: CatalogueFormat; force?: boolean; json?: boolean }) => {
      const doc = readDocument(file);
      const asOf = parseDate(opts.asOf, '--as-of');
      await withApp((app) =>
        out(recordOutput(app, importCatalogue(app, doc, { asOf, format: opts.format, force: opts.force, notice: { key: opts.notice } }), !!opts.json)),
      );
    });

  program
    .command('apply')
    .description('parse an adjustment notice (HTML or text), apply it and record the changes')
    .argument('<notice-file>', 'notice document')
    .option('--as-of <date>', 'date the changes take effect (YYYY-MM-DD); default: 【发文日期】 of the notice')
    .option('--notice <key>', 'notice key, e.g. MOFCOM-2020-38; default: read from 【发布文号】')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { asOf?: string; notice?: string; json?: boolean }) => {
      const doc = readDocument(file);
      const asOf = parseDate(opts.asOf, '--as-of');
      await withApp((app) => {
        const result = applyNotice(app, doc, { asOf, notice: { key: opts.notice } });
        out(recordOutput(app, result, !!opts.json));
      });
    });

  program
    .command('diff')
    .description('compare two catalogue documents without touching the store')
    .argument('<old-file>')
    .argument('<new-file>')
    .addOption(new Option('--format <format>', 'force the document format of both files').choices(FORMATS))
    .option('--json', 'print JSON')
    .action(async (oldFile: string, newFile: string, opts: { format?: CatalogueFormat; json?: boolean }) => {
      const result = diffDocuments(readDocument(oldFile), readDocument(newFile), opts.format);
      if (opts.json) {
        out(json({ summary: result.summary, changes: result.changes.map(changeJson), unparsed: result.unparsed }));
        return;
      }
      await withApp((app) => {
        const message = buildChangeMessage({ changes: result.changes, notice: null, detectedAt: app.now().toISOString(), gloss: app.gloss, maxItems: 1000 });
        out(`${renderText(message)}\n${unparsedText(result.unparsed)}`);
      });
    });

  program
    .command('check')
    .alias('lookup')
    .description('look a technology up by code, English or Chinese term')
    .argument('<query...>')
    .option('--json', 'print JSON')
    .action(async (words: string[], opts: { json?: boolean }) => {
      await withApp((app) => {
        const answer = check(app, words.join(' '));
        out(opts.json ? json(answer) : checkText(answer));
      });
    });

  program
    .command('item')
    .description('one entry in full, with its history')
    .argument('<code>')
    .option('--as-of <date>', 'show the version in force on this date (YYYY-MM-DD)')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: { asOf?: string; json?: boolean }) => {
      const asOf = parseDate(opts.asOf, '--as-of');
      await withApp((app) => {
        const answer = item(app, key, asOf);
        out(opts.json ? json(answer) : itemText(answer, app.gloss));
      });
    });

  program
    .command('history')
    .description('every recorded change to one entry, with the notices that made them')
    .argument('<code>')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: { json?: boolean }) => {
      await withApp((app) => {
        const answer = history(app, key);
        out(opts.json ? json(answer) : historyText(answer));
      });
    });

  program
    .command('recent')
    .description('changes detected in the last days')
    .option('--days <n>', 'how many days back (default 30)')
    .option('--json', 'print JSON')
    .action(async (opts: { days?: string; json?: boolean }) => {
      const days = parseDays(opts.days, 30);
      await withApp((app) => {
        const since = new Date(app.now().getTime() - days * 86_400_000).toISOString();
        const changes = recentChanges(app.db, since);
        if (opts.json) {
          out(json({ since, changes: changes.map((c) => ({ ...changeJson(c), noticeKey: c.noticeKey, validFrom: c.validFrom, detectedAt: c.detectedAt })) }));
          return;
        }
        if (changes.length === 0) {
          out(`No changes detected since ${since.slice(0, 10)}.\n`);
          return;
        }
        out(`${changes.length} change(s) detected since ${since.slice(0, 10)}:\n`);
        for (const c of changes) {
          const name = String((c.after ?? c.before)?.name ?? '');
          out(
            `  ${c.detectedAt.slice(0, 16).replace('T', ' ')}  ${c.kind.padEnd(8)} ${c.fromKey ? `${c.fromKey} → ` : ''}${c.key} ${name}  [${c.noticeKey ?? '-'}]\n`,
          );
        }
      });
    });

  program
    .command('export')
    .description('the register state, or the change history as an audit trail')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .addOption(new Option('--what <what>', 'what to export').choices(['entries', 'changes', 'deliveries']).default('entries'))
    .option('--as-of <date>', 'export the state in force on this date (entries only)')
    .option('--since <date>', 'deliveries queued on or after this date (deliveries only)')
    .option('--output <file>', 'write to a file instead of standard output')
    .option('--json', 'same as --format json')
    .action(
      async (opts: { format: 'json' | 'csv'; what: 'entries' | 'changes' | 'deliveries'; asOf?: string; since?: string; output?: string; json?: boolean }) => {
        const asOf = parseDate(opts.asOf, '--as-of');
        const since = parseDate(opts.since, '--since');
        const format = opts.json ? 'json' : opts.format;
        await withApp((app) => {
          let text: string;
          if (opts.what === 'entries') {
            const data = exportEntries(app, asOf);
            text = format === 'csv' ? entriesCsv(data) : json(data);
          } else if (opts.what === 'changes') {
            const rows = exportChanges(app);
            text = format === 'csv' ? changesCsv(rows) : json({ changes: rows });
          } else {
            const rows = exportDeliveries(app, since);
            text = format === 'csv' ? deliveriesCsv(rows) : json({ deliveries: rows });
          }
          if (opts.output) writeFileSync(opts.output, text);
          else out(text);
        });
      },
    );

  program
    .command('backup')
    .description("copy the database to a file with SQLite's online backup (safe while the service runs)")
    .argument('<file>', 'new backup file')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      await withApp(async (app) => {
        const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
        const result = await backupDatabase(app.db, file, (done) => {
          if (tty) io.stderr.write(`\rbacking up… ${Math.round(done * 100)}%`);
        });
        if (tty) io.stderr.write('\n');
        out(opts.json ? json({ file, pages: result.pages }) : `Backed up ${result.pages} pages to ${file}.\n`);
      });
    });

  program
    .command('restore')
    .description('replace the database with a backup (stop the service first)')
    .argument('<file>', 'backup file made by exportwatch backup')
    .option('--yes', 'replace the existing database')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { yes?: boolean; json?: boolean }) => {
      const target = config().databasePath;
      if (existsSync(target) && !opts.yes) throw new UsageError(`${target} exists; stop the service and pass --yes to replace it with ${file}`);
      const result = await restoreDatabase(file, target);
      out(
        opts.json
          ? json({ restored: target, from: file, migrations: result.migrations })
          : `Restored ${target} from ${file} (${result.migrations} migrations recorded; newer ones apply at the next start).\n`,
      );
    });

  program
    .command('demo')
    .description('replay the bundled timeline (2008 baseline, 2020 adjustment, 2023 revision, 2025 adjustment) into a temporary database')
    .option('--keep', 'keep the temporary database and print its path')
    .option('--json', 'print each step as JSON')
    .action(async (opts: { keep?: boolean; json?: boolean }) => {
      await runDemo(io.stdout, { keep: !!opts.keep, json: !!opts.json });
    });

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0 ? 0 : 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`exportwatch: ${message.replace(/\s+/g, ' ').trim()}\n`);
    if (io.env.EXPORTWATCH_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return err instanceof UsageError || err instanceof ConfigError ? 2 : 1;
  }
}
