import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAdapters, missingAdapterReason } from './registry.js';

describe('adapter registry', () => {
  it('maps every platform; webhook only with a secret', () => {
    const without = createAdapters({ env: {}, stdout: new PassThrough() });
    expect(Object.keys(without).sort()).toEqual(['console', 'slack', 'teams', 'teams-workflow', 'webhook']);
    expect(without.console?.platform).toBe('console');
    expect(without.webhook).toBeUndefined();
    expect(without.slack).toBeUndefined();
    const withSecret = createAdapters({ env: { WEBHOOK_SECRET: 's3cret', URL_ALLOWLIST: '127.0.0.1' } });
    expect(withSecret.webhook?.platform).toBe('webhook');
    expect(missingAdapterReason('webhook')).toMatch(/WEBHOOK_SECRET/);
    expect(missingAdapterReason('slack')).toBe('no slack adapter is configured');
  });
});
