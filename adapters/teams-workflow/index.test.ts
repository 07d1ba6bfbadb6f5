// The Workflows webhook adapter against a fake receiver over HTTPS on 127.0.0.1: the envelope Teams expects, within
// about 28 KB; 200 and 202 as success; 429 and 5xx retryable with Retry-After; other 4xx and redirects permanent; the
// SSRF guard; and the URL — a secret — never in an error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError } from '../../src/alerts/types.js';
import { startFakeWorkflowReceiver, type FakeWorkflowReceiver } from '../../test/fakes/botconnector.js';
import { cardProblems } from '../teams/validate.test-support.js';
import { WORKFLOW_MAX_BYTES } from '../teams/cards.js';
import { createWorkflowAdapter } from './index.js';

const SIG = 'Zk3q9v-SECRET-SIGNATURE-x81Lm0';
let receiver: FakeWorkflowReceiver;
let url: string;

const message: Message = {
  title: '🔴 Export control list (出口管制管控名单) changed — 3 entries added',
  severity: 'critical',
  subtitle: 'MOFCOM 2026 No.95 · published 2026-11-03',
  links: [{ label: 'Official text (Chinese)', url: 'https://www.mofcom.gov.cn/a.html' }],
  sections: [{ heading: 'ADDED', items: [{ code: 'E1', text: 'Acme Dynamics 公司', gloss: null, details: ['country: US'] }] }],
  omitted: 0,
  context: ['Notice MOFCOM-2026-95'],
};

beforeEach(async () => {
  receiver = await startFakeWorkflowReceiver();
  url = `${receiver.baseUrl}/powerautomate/automations/direct/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
});
afterEach(async () => receiver.close());

function adapter(extra: Parameters<typeof createWorkflowAdapter>[0] = {}) {
  return createWorkflowAdapter({ allowlist: '127.0.0.1', ca: receiver.ca, timeoutMs: 2000, ...extra });
}

async function attempt(a = adapter(), to = url): Promise<DeliveryError | { messageId: string }> {
  try {
    return await a.send({ platform: 'teams-workflow', address: to }, message, { idempotencyKey: 'key-1' });
  } catch (err) {
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as Error).message).not.toContain(SIG);
    return err as DeliveryError;
  }
}

describe('teams-workflow adapter', () => {
  it('posts the message envelope with a valid 1.5 card and takes the flow run id as the message id', async () => {
    const result = await attempt();
    expect(result).toEqual({ messageId: '08584000001CU00' });
    const [post] = receiver.posts;
    expect(post?.query).toContain(`sig=${SIG}`);
    expect(post?.headers['content-type']).toBe('application/json');
    const body = post?.body as { type: string; attachments: Array<{ contentType: string; content: { version: string } }> };
    expect(Object.keys(body)).toEqual(['type', 'attachments']);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    expect(body.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(body.attachments[0]?.content.version).toBe('1.5');
    expect(cardProblems(body.attachments[0]?.content)).toEqual([]);
    expect(post!.bytes).toBeLessThanOrEqual(28 * 1024);
  });

  it('counts 200 as sent too, with the delivery id when there is no run id', async () => {
    receiver.respond({ status: 200, runId: null });
    expect(await attempt()).toEqual({ messageId: 'key-1' });
  });

  it('keeps a huge change set under the 28 KB bound by summarising', async () => {
    const items = Array.from({ length: 500 }, (_, i) => ({
      code: `1C${i}`,
      text: `稀土永磁材料及其制备技术第${i}项`,
      gloss: 'rare-earth magnets',
      details: [`control point 1: 旧${i} → 新${i}`],
    }));
    const big: Message = { ...message, sections: [{ heading: 'ADDED', items }] };
    await adapter().send({ platform: 'teams-workflow', address: url }, big, { idempotencyKey: 'k' });
    const post = receiver.posts[0]!;
    expect(post.bytes).toBeLessThanOrEqual(WORKFLOW_MAX_BYTES);
    const card = (post.body as { attachments: Array<{ content: unknown }> }).attachments[0]!.content;
    expect(cardProblems(card)).toEqual([]);
    expect(JSON.stringify(card)).toMatch(/… and \d+ more changes not listed here — see the official text\./);
  });

  it('retries 429 (Retry-After), 408 and 5xx; fails other 4xx and redirects for good', async () => {
    const cases: Array<[{ status: number; retryAfter?: number; body?: string }, boolean, number | undefined]> = [
      [{ status: 429, retryAfter: 9 }, true, 9000],
      [{ status: 408 }, true, undefined],
      [{ status: 500, body: `{"error":{"message":"flow failed at ${url}"}}` }, true, undefined],
      [{ status: 503, retryAfter: 2 }, true, 2000],
      [{ status: 400, body: '{"error":{"code":"InvalidTemplate"}}' }, false, undefined],
      [{ status: 401 }, false, undefined],
      [{ status: 404 }, false, undefined],
      [{ status: 302 }, false, undefined],
    ];
    for (const [answer, retryable, retryAfterMs] of cases) {
      receiver.respond(answer);
      const e = (await attempt()) as DeliveryError;
      expect(e, String(answer.status)).toBeInstanceOf(DeliveryError);
      expect(e.retryable, String(answer.status)).toBe(retryable);
      expect(e.retryAfterMs, String(answer.status)).toBe(retryAfterMs);
      expect(e.message).toContain(`answered ${answer.status}`);
      expect(e.message).toContain('sig=…');
    }
  });

  it('refuses loopback and private hosts unless allowlisted, and http URLs; network failures are retryable', async () => {
    const guarded = (await attempt(adapter({ allowlist: '' }))) as DeliveryError;
    expect(guarded.retryable).toBe(false);
    expect(guarded.message).toMatch(/loopback address/);
    const plain = (await attempt(adapter(), url.replace('https:', 'http:'))) as DeliveryError;
    expect(plain.retryable).toBe(false);
    expect(plain.message).toMatch(/must be https/);
    // Any public host name passes the guard (no allowlist of Microsoft hosts): a DNS answer for it is vetted.
    const lookup = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const viaName = await attempt(adapter({ lookup, allowlist: '127.0.0.1' }), url.replace('127.0.0.1', 'prod-00.westeurope.logic.azure.com'));
    expect(viaName).toBeInstanceOf(DeliveryError); // the test certificate is not for that name
    expect((viaName as DeliveryError).retryable).toBe(true);
    await receiver.close();
    const down = (await attempt()) as DeliveryError;
    expect(down.retryable).toBe(true);
    receiver = await startFakeWorkflowReceiver();
  });
});
