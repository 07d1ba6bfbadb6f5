// The SSRF guard for outbound URLs (webhooks, Workflows): only http(s), and no loopback, private, link-local,
// metadata, unspecified, multicast or reserved address unless the host or address is in URL_ALLOWLIST.
// Every address a host resolves to must pass; callers connect to the vetted address (no second lookup to rebind).
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (default: `dns.lookup` with `all: true`). */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

export interface UrlGuardOptions {
  /** Host names, IP addresses or CIDRs (from URL_ALLOWLIST) that may be reached although not public. */
  allowlist?: readonly string[];
  lookup?: LookupAll;
}

/** The URL is refused (not http(s), or not public and not allowlisted), or its host does not resolve. */
export class UrlGuardError extends Error {
  override name = 'UrlGuardError';
  constructor(
    message: string,
    /** True when retrying may help (the host name did not resolve right now). */
    readonly transient = false,
  ) {
    super(message);
  }
}

export const defaultLookup: LookupAll = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

const RANGES: ReadonlyArray<[string, string, number, 'ipv4' | 'ipv6']> = [
  ['metadata', '169.254.169.254', 32, 'ipv4'],
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['shared (CGNAT)', '100.64.0.0', 10, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['documentation', '192.0.2.0', 24, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['benchmarking', '198.18.0.0', 15, 'ipv4'],
  ['documentation', '198.51.100.0', 24, 'ipv4'],
  ['documentation', '203.0.113.0', 24, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['site-local', 'fec0::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['documentation', '2001:db8::', 32, 'ipv6'],
  ['discard', '100::', 64, 'ipv6'],
];

const BLOCKS: ReadonlyArray<{ reason: string; list: BlockList }> = RANGES.map(([reason, net, prefix, type]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, type);
  return { reason, list };
});

function hexToV4(hi: number, lo: number): string {
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Expands an IPv6 address to its eight 16-bit groups (null when not IPv6). */
function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase().split('%')[0] ?? '';
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = (v4[1] ?? '').split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
  const h = head === '' ? [] : head.split(':');
  const t = tail === null || tail === '' ? [] : tail.split(':');
  const fill = tail === null ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address embedded in an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible, NAT64 (`64:ff9b::/96`) or 6to4
 * (`2002::/16`) IPv6 address, else null: these reach IPv4 hosts and are judged as such.
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (g === null || g.length !== 8) return null;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0xffff) return hexToV4(g6, g7);
  if (zeroHead && g5 === 0 && (g6 !== 0 || g7 > 1)) return hexToV4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return hexToV4(g6, g7);
  if (g0 === 0x2002) return hexToV4(g1, g2);
  return null;
}

/** Why an address may not be reached ("loopback", "private", "metadata"…), or null for a public address. */
export function blockedReason(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null) return blockedReason(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const plain = address.split('%')[0] ?? address;
  for (const b of BLOCKS) if (b.list.check(plain, type)) return b.reason;
  return null;
}

export interface Allowlist {
  hosts: ReadonlySet<string>;
  addresses: BlockList;
  /** True when nothing is allowlisted. */
  empty: boolean;
}

function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Parses allowlist entries (host names, IP addresses, CIDRs); `URL_ALLOWLIST` is comma-separated. Throws on a malformed CIDR. */
export function parseAllowlist(entries: readonly string[] | string | undefined): Allowlist {
  const list = typeof entries === 'string' ? entries.split(',') : (entries ?? []);
  const hosts = new Set<string>();
  const addresses = new BlockList();
  let empty = true;
  for (const raw of list) {
    const entry = normaliseHost(raw);
    if (entry === '') continue;
    empty = false;
    const slash = entry.indexOf('/');
    if (slash >= 0) {
      const net = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const family = isIP(net);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
        throw new UrlGuardError(`invalid CIDR "${raw.trim()}" in URL_ALLOWLIST`);
      addresses.addSubnet(net, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (isIP(entry) !== 0) {
      addresses.addAddress(entry, isIP(entry) === 4 ? 'ipv4' : 'ipv6');
    } else {
      hosts.add(entry);
    }
  }
  return { hosts, addresses, empty };
}

function addressAllowed(allow: Allowlist, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const plain = address.split('%')[0] ?? address;
  if (allow.addresses.check(plain, family === 4 ? 'ipv4' : 'ipv6')) return true;
  const v4 = family === 6 ? embeddedIpv4(plain) : null;
  return v4 !== null && allow.addresses.check(v4, 'ipv4');
}

export interface VettedUrl {
  url: URL;
  /** The addresses the host resolved to, all vetted; connect to one of these. */
  addresses: ResolvedAddress[];
}

/**
 * Refuses a URL that is not http(s) or whose host resolves to any non-public address (loopback, private, link-local,
 * metadata, unspecified, multicast, reserved) unless the host name or the address is allowlisted. Returns the
 * vetted addresses. Throws UrlGuardError.
 */
export async function assertPublicUrl(url: string | URL, opts: UrlGuardOptions | { allowlist: Allowlist; lookup?: LookupAll } = {}): Promise<VettedUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UrlGuardError('not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new UrlGuardError(`only http and https URLs may be called, not ${parsed.protocol.replace(':', '')}`);
  const allow = isAllowlist(opts.allowlist) ? opts.allowlist : parseAllowlist(opts.allowlist);
  const host = normaliseHost(parsed.hostname);
  if (host === '') throw new UrlGuardError('the URL has no host');
  const hostAllowed = allow.hosts.has(host);
  let addresses: ResolvedAddress[];
  const literal = isIP(host);
  if (literal !== 0) {
    addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await (opts.lookup ?? defaultLookup)(host);
    } catch (err) {
      throw new UrlGuardError(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, true);
    }
    if (addresses.length === 0) throw new UrlGuardError(`cannot resolve ${host}: no addresses`, true);
  }
  if (!hostAllowed) {
    for (const a of addresses) {
      const reason = blockedReason(a.address);
      if (reason !== null && !addressAllowed(allow, a.address)) {
        const shown = literal !== 0 ? a.address : `${host} (${a.address})`;
        throw new UrlGuardError(`refusing to call ${shown}: ${reason} address; add it to URL_ALLOWLIST to allow it`);
      }
    }
  }
  return { url: parsed, addresses };
}

function isAllowlist(value: unknown): value is Allowlist {
  return typeof value === 'object' && value !== null && 'hosts' in value && 'addresses' in value;
}
