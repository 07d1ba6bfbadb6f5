// Builds the Teams app package (npm run teams:package): a zip with manifest.json, color.png and outline.png at its
// root, which Teams accepts under Apps → Manage your apps → Upload an app (or in the Teams admin center).
//
// The manifest's id and bot id come from MICROSOFT_APP_ID (the Azure Bot's Microsoft App ID; read from ./.env too),
// its validDomains from TEAMS_VALID_DOMAINS (comma-separated host names; a bot-only app needs none, so the placeholder
// is dropped when it is unset). The zip is written here with node:zlib (deflateRaw and CRC-32): no dependency.
//
//   npm run teams:package [-- --out teams/exportwatch-teams.zip]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const TEAMS_DIR = join(import.meta.dirname, '..', 'teams');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PLACEHOLDER_ID = '00000000-0000-0000-0000-000000000000';
const PLACEHOLDER_DOMAIN = 'exportwatch.example.com';

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/** A zip archive (deflated entries, fixed 1980-01-01 timestamps so that the same input gives the same bytes). */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const DOS_TIME = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const deflated = deflateRawSync(entry.data, { level: 9 });
    const crc = crc32(entry.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(8, 8); // method: deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes, external attributes: 0
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Width and height of a PNG (from its IHDR), or null when it is not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | null {
  if (data.length < 24 || data.readUInt32BE(0) !== 0x89504e47 || data.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

export class PackageError extends Error {}

export interface PackageOptions {
  appId: string;
  /** Host names for validDomains; empty: none. */
  validDomains?: readonly string[];
  dir?: string;
}

/** The manifest filled in for this bot, and the zip Teams accepts. Throws PackageError with what to fix. */
export function buildTeamsPackage(options: PackageOptions): { manifest: Record<string, unknown>; zip: Buffer } {
  const dir = options.dir ?? TEAMS_DIR;
  const appId = options.appId.trim();
  if (!GUID.test(appId) || appId === PLACEHOLDER_ID) {
    throw new PackageError('MICROSOFT_APP_ID must be the Azure Bot’s Microsoft App ID (a GUID): set it in the environment or in .env');
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    bots: Array<Record<string, unknown>>;
    icons: { color: string; outline: string };
    validDomains?: string[];
  };
  manifest.id = appId;
  for (const bot of manifest.bots) bot.botId = appId;
  const domains = (options.validDomains ?? []).map((d) => d.trim().toLowerCase()).filter((d) => d !== '');
  for (const d of domains) if (!/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) throw new PackageError(`TEAMS_VALID_DOMAINS: "${d}" is not a host name`);
  manifest.validDomains = domains.length > 0 ? domains : (manifest.validDomains ?? []).filter((d) => d !== PLACEHOLDER_DOMAIN);
  const icons: Array<[string, number]> = [
    [manifest.icons.color, 192],
    [manifest.icons.outline, 32],
  ];
  const files: ZipEntry[] = [{ name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') }];
  for (const [name, size] of icons) {
    const data = readFileSync(join(dir, name));
    const got = pngSize(data);
    if (!got || got.width !== size || got.height !== size) throw new PackageError(`${name} must be a ${size}×${size} PNG (npm run teams:icons draws it)`);
    files.push({ name, data });
  }
  return { manifest, zip: zip(files) };
}

function main(argv: readonly string[]): number {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const outIndex = argv.indexOf('--out');
  const out = resolve(outIndex >= 0 && argv[outIndex + 1] ? argv[outIndex + 1]! : join(TEAMS_DIR, 'exportwatch-teams.zip'));
  try {
    const { zip: bytes } = buildTeamsPackage({
      appId: process.env.MICROSOFT_APP_ID ?? '',
      validDomains: (process.env.TEAMS_VALID_DOMAINS ?? '').split(','),
    });
    writeFileSync(out, bytes);
    process.stdout.write(`wrote ${out} (${bytes.length} bytes): upload it in Teams under Apps → Manage your apps → Upload an app\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`teams:package: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
