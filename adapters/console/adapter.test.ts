import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError } from '../../src/alerts/types.js';
import { createConsoleDeliveryAdapter } from './adapter.js';

const message: Message = { title: 'Gallium notice\u001b[2J', severity: 'high', subtitle: null, links: [], sections: [], omitted: 0, context: ['notice X'] };

describe('console delivery adapter', () => {
  it('prints the rendered message under its destination and numbers message ids', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const adapter = createConsoleDeliveryAdapter(out);
    expect(adapter.platform).toBe('console');
    expect(await adapter.send({ platform: 'console', address: 'ops' }, message, { idempotencyKey: 'k1' })).toEqual({ messageId: 'console-1' });
    expect(await adapter.send({ platform: 'console', address: 'ops' }, message, { idempotencyKey: 'k2' })).toEqual({ messageId: 'console-2' });
    expect(text).toContain('── console:ops ──\nGallium notice[2J\n\nnotice X\n\n');
    expect(text).not.toContain('\u001b');
  });

  it('refuses other platforms permanently', async () => {
    const adapter = createConsoleDeliveryAdapter(new PassThrough());
    await expect(adapter.send({ platform: 'slack', address: 'T/C' }, message, { idempotencyKey: 'k' })).rejects.toBeInstanceOf(DeliveryError);
  });
});
