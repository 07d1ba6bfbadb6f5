import { describe, expect, it } from 'vitest';
import { assertPublicUrl, blockedReason, embeddedIpv4, parseAllowlist, UrlGuardError, type LookupAll } from './url-guard.js';

const lookupTo =
  (...addresses: string[]): LookupAll =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('blockedReason', () => {
  it('classifies addresses', () => {
    const cases: Array<[string, string | null]> = [
      ['127.0.0.1', 'loopback'],
      ['127.8.9.10', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['fc00::1', 'private'],
      ['fd12:3456::1', 'private'],
      ['169.254.1.1', 'link-local'],
      ['fe80::1', 'link-local'],
      ['169.254.169.254', 'metadata'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['224.0.0.1', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'reserved'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:7f00:1', 'loopback'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['64:ff9b::a00:1', 'private'],
      ['2002:c0a8:0101::1', 'private'],
      ['93.184.216.34', null],
      ['172.32.0.1', null],
      ['2606:4700::1111', null],
      ['::ffff:93.184.216.34', null],
    ];
    for (const [address, reason] of cases) expect(blockedReason(address), address).toBe(reason);
    expect(embeddedIpv4('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(embeddedIpv4('2606:4700::1111')).toBeNull();
  });
});

describe('assertPublicUrl', () => {
  it('refuses loopback without an allowlist and allows it with one', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:8080/hook')).rejects.toThrow('refusing to call 127.0.0.1: loopback address; add it to URL_ALLOWLIST');
    await expect(assertPublicUrl('http://[::1]/hook')).rejects.toThrow(/loopback/);
    await expect(assertPublicUrl('http://127.0.0.1:8080/hook', { allowlist: ['127.0.0.1'] })).resolves.toMatchObject({
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
    await expect(assertPublicUrl('http://127.0.0.5/hook', { allowlist: ['127.0.0.0/8'] })).resolves.toBeTruthy();
    await expect(assertPublicUrl('http://127.0.0.5/hook', { allowlist: ['127.0.0.1'] })).rejects.toThrow(UrlGuardError);
  });

  it('refuses private, link-local and metadata addresses', async () => {
    for (const url of [
      'http://10.0.0.5/',
      'http://192.168.0.10:3000/x',
      'http://172.20.1.1/',
      'http://169.254.10.10/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://0.0.0.0/',
    ]) {
      await expect(assertPublicUrl(url), url).rejects.toThrow(UrlGuardError);
    }
    await expect(assertPublicUrl('http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/metadata address/);
  });

  it('refuses a host name resolving to a private address, even among public ones', async () => {
    await expect(assertPublicUrl('https://hooks.example.org/x', { lookup: lookupTo('10.0.0.7') })).rejects.toThrow(
      'refusing to call hooks.example.org (10.0.0.7): private address',
    );
    await expect(assertPublicUrl('https://hooks.example.org/x', { lookup: lookupTo('93.184.216.34', '127.0.0.1') })).rejects.toThrow(/loopback/);
    await expect(assertPublicUrl('https://metadata.internal/x', { lookup: lookupTo('169.254.169.254') })).rejects.toThrow(/metadata/);
    await expect(assertPublicUrl('https://hooks.example.org/x', { lookup: lookupTo('93.184.216.34') })).resolves.toMatchObject({
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
  });

  it('lets an allowlisted host name resolve anywhere', async () => {
    await expect(assertPublicUrl('http://receiver.internal:9000/x', { allowlist: ['Receiver.Internal'], lookup: lookupTo('10.1.1.1') })).resolves.toBeTruthy();
    await expect(assertPublicUrl('http://other.internal:9000/x', { allowlist: ['receiver.internal'], lookup: lookupTo('10.1.1.1') })).rejects.toThrow(
      /private/,
    );
    await expect(assertPublicUrl('http://other.internal/x', { allowlist: ['10.0.0.0/8'], lookup: lookupTo('10.1.1.1') })).resolves.toBeTruthy();
  });

  it('accepts only http and https, and reports lookup failures as transient', async () => {
    await expect(assertPublicUrl('ftp://example.org/x')).rejects.toThrow(/only http and https/);
    await expect(assertPublicUrl('file:///etc/passwd')).rejects.toThrow(/only http and https/);
    await expect(assertPublicUrl('not a url')).rejects.toThrow(/not a valid URL/);
    const failing: LookupAll = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const err = await assertPublicUrl('https://nowhere.example/x', { lookup: failing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UrlGuardError);
    expect(err).toMatchObject({ transient: true, message: 'cannot resolve nowhere.example: ENOTFOUND' });
  });

  it('parses URL_ALLOWLIST', () => {
    const a = parseAllowlist(' 127.0.0.1, hooks.internal., 10.0.0.0/8 ,,::1');
    expect([...a.hosts]).toEqual(['hooks.internal']);
    expect(a.addresses.check('10.9.9.9', 'ipv4')).toBe(true);
    expect(a.addresses.check('::1', 'ipv6')).toBe(true);
    expect(parseAllowlist('').empty).toBe(true);
    expect(() => parseAllowlist('10.0.0.0/33')).toThrow(/invalid CIDR/);
  });
});
