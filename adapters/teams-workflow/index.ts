// The `teams-workflow` delivery adapter: alerts posted to a Microsoft Teams Workflows (Power Automate) webhook as an
// Adaptive Card, for channels that want alerts without installing the bot. Operators add one with
// `subscribe --to teams-workflow:<url> …`.
//
// Body:    {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":<card>}]}
//          the card (adapters/teams/cards.ts, schema 1.5) bounded so that the whole body stays under about 28 KB.
// URL:     any https host — Microsoft moved these URLs from *.logic.azure.com to *.powerplatform.com and may move them
//          again — that passes the SSRF guard (no loopback, private or metadata address unless in URL_ALLOWLIST); the
//          connection goes to the vetted address. The URL carries its own credential (`sig=`): it is a secret, and
//          errors and logs show it only through displayDestination (query values masked).
// Answers: 200 and 202 are success. A 202 only says the flow was started: it does not prove the card reached the
//          channel (a flow that fails later is only visible in its run history). The message id is the flow run id
//          (`x-ms-workflow-run-id`) when the answer has one. 429, 408, 5xx, network errors and timeouts are retryable
//          (Retry-After honoured); other 4xx and 3xx (redirects are not followed) are permanent.
import https from 'node:https';
import type { Message } from '../../src/alerts/message.js';
import { displayDestination } from '../../src/alerts/destination.js';
import { DeliveryError, type DeliveryAdapter, type Destination } from '../../src/alerts/types.js';
import { assertPublicUrl, parseAllowlist, UrlGuardError, type LookupAll, type VettedUrl } from '../../src/alerts/url-guard.js';
import { parseRetryAfter } from '../webhook/index.js';
import { renderWorkflowCard, WORKFLOW_MAX_BYTES, workflowEnvelope } from '../teams/cards.js';
import { postToVettedUrl, type Answer } from '../vetted-post.js';

export const DEFAULT_WORKFLOW_TIMEOUT_MS = 15_000;
export const DEFAULT_WORKFLOW_USER_AGENT = 'ExportWatch-Teams-Workflow/0.1 (+https://github.com/exportwatch/exportwatch)';
const MAX_ANSWER_BYTES = 16 * 1024;

export interface WorkflowAdapterOptions {
  /** URL_ALLOWLIST entries: hosts, addresses or CIDRs that may be called although not public. */
  allowlist?: readonly string[] | string;
  userAgent?: string;
  timeoutMs?: number;
  lookup?: LookupAll;
  now?: () => Date;
  /** Largest body in bytes (default 27 KB, under the Workflows limit of about 28 KB). */
  maxBytes?: number;
  /** Extra certificate authorities to trust (tests: a receiver with a self-signed certificate). */
  ca?: string | Buffer;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** An answer's text for an error message, with the URL's secret query values removed. */
function snippet(text: string, secrets: readonly string[], max = 200): string {
  let clean = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  for (const s of secrets) if (s.length >= 8) clean = clean.split(s).join('…');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function createWorkflowAdapter(options: WorkflowAdapterOptions = {}): DeliveryAdapter {
  const allowlist = parseAllowlist(options.allowlist);
  const timeoutMs = options.timeoutMs ?? DEFAULT_WORKFLOW_TIMEOUT_MS;
  const userAgent = options.userAgent ?? DEFAULT_WORKFLOW_USER_AGENT;
  const maxBytes = options.maxBytes ?? WORKFLOW_MAX_BYTES;
  const now = options.now ?? (() => new Date());
  const agent = new https.Agent({ keepAlive: true, maxSockets: 16, ...(options.ca ? { ca: options.ca } : {}) });

  function post(vetted: VettedUrl, body: string): Promise<Answer> {
    return postToVettedUrl(vetted, body, {
      headers: { 'Content-Type': 'application/json', 'User-Agent': userAgent },
      timeoutMs,
      agent,
      maxAnswerBytes: MAX_ANSWER_BYTES,
    });
  }

  return {
    platform: 'teams-workflow',
    async send(destination: Destination, message: Message, meta: { idempotencyKey: string }) {
      if (destination.platform !== 'teams-workflow') throw new DeliveryError(`the Teams Workflows adapter cannot send to ${destination.platform}`, false);
      const shown = displayDestination(`teams-workflow:${destination.address}`);
      let url: URL;
      try {
        url = new URL(destination.address);
      } catch {
        throw new DeliveryError(`${shown} is not a URL`, false);
      }
      if (url.protocol !== 'https:') throw new DeliveryError(`${shown}: Workflows webhooks must be https`, false);
      const secrets = [destination.address, url.search.slice(1), ...[...url.searchParams.values()]].filter((s) => s !== '');
      let vetted: VettedUrl;
      try {
        vetted = await assertPublicUrl(url, { allowlist, ...(options.lookup ? { lookup: options.lookup } : {}) });
      } catch (err) {
        if (err instanceof UrlGuardError) throw new DeliveryError(`${shown}: ${snippet(err.message, secrets)}`, err.transient);
        throw err;
      }
      const rendered = renderWorkflowCard(message, maxBytes);
      const body = JSON.stringify(workflowEnvelope(rendered.card));
      let answer: Answer;
      try {
        answer = await post(vetted, body);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new DeliveryError(`${shown}: ${snippet(e.code ?? e.message, secrets)}`, true);
      }
      const { status } = answer;
      const detail = answer.body ? `: ${snippet(answer.body, secrets)}` : '';
      if (status === 200 || status === 202 || (status >= 200 && status < 300)) {
        const run = answer.headers['x-ms-workflow-run-id'];
        const runId = Array.isArray(run) ? run[0] : run;
        return { messageId: runId && /^[\x21-\x7e]{1,200}$/.test(runId) ? runId : meta.idempotencyKey };
      }
      if (status >= 300 && status < 400)
        throw new DeliveryError(`${shown} answered ${status} (redirects are not followed; use the URL Teams shows for the workflow)`, false);
      if (status === 429 || status === 408 || status >= 500)
        throw new DeliveryError(`${shown} answered ${status}${detail}`, true, parseRetryAfter(answer.headers['retry-after'], now()));
      throw new DeliveryError(`${shown} answered ${status}${detail}`, false);
    },
  };
}
