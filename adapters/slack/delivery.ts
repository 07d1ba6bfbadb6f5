// The Slack delivery adapter: the outbox sends `slack:<team>/<channel>` deliveries through here.
//
// chat.postMessage with the workspace's bot token (SLACK_BOT_TOKEN, or the encrypted OAuth installation), Block Kit
// from blocks.ts, unfurling off and `link_names` off; the outbox's idempotency key travels in the message metadata.
// The client never retries by itself and times out (SLACK_TIMEOUT_MS): the outbox owns retries, across restarts.
// 429 → retryable after Retry-After; `ratelimited`, 5xx, network, an answer that is not Slack's JSON → retryable;
// `not_in_channel`, `channel_not_found`, `account_inactive`, `invalid_auth`, `token_revoked`… → permanent. The message
// id is the posted message's ts.
// A long change set's detail follows as thread replies; once the main message is posted the delivery counts as sent
// (a failed reply is logged, not retried through the outbox, which would post the main message twice).
// A paused workspace (uninstalled, tokens revoked) or one without an installation holds its deliveries: retryable,
// looked at again after a while, failed and reported only at the outbox's maximum age.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@slack/bolt';
import type { SlackConfig } from '../../src/config.js';
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError, type DeliveryAdapter, type Destination } from '../../src/alerts/types.js';
import type { Db } from '../../storage/db.js';
import { loadInstallation, teamKey, workspaceState } from '../../storage/slack.js';
import { renderMessage } from './blocks.js';
import { createClient, slackErrorCode, toDeliveryError, type WebClient } from './client.js';

export const DEFAULT_THREAD_SPACING_MS = 1100;
export const DEFAULT_PAUSED_RETRY_MS = 15 * 60_000;
/** Longest Retry-After a thread reply waits for within one send. */
const MAX_REPLY_WAIT_MS = 30_000;

export interface SlackDeliveryOptions {
  config: Pick<SlackConfig, 'auth' | 'botToken' | 'tokenEncryptionKey' | 'apiUrl' | 'timeoutMs'>;
  /** The store with the installations and paused workspaces (opened on first use). */
  db: () => Db;
  logger: Logger;
  /** Gap between the message and each thread reply (Slack allows about one message a second per channel). */
  threadSpacingMs?: number;
  /** How long a paused workspace's delivery waits before it is looked at again (default 15 min). */
  pausedRetryMs?: number;
}

export function createSlackDeliveryAdapter(options: SlackDeliveryOptions): DeliveryAdapter {
  const { config, logger } = options;
  const spacing = options.threadSpacingMs ?? DEFAULT_THREAD_SPACING_MS;
  const pausedRetryMs = options.pausedRetryMs ?? DEFAULT_PAUSED_RETRY_MS;
  const clients = new Map<string, WebClient>();
  let singleTeam: Promise<string> | null = null;

  function client(token: string): WebClient {
    let c = clients.get(token);
    if (!c) {
      c = createClient(token, { apiUrl: config.apiUrl, timeoutMs: config.timeoutMs, retries: 0, logger });
      clients.set(token, c);
    }
    return c;
  }

  /** The workspace of SLACK_BOT_TOKEN (auth.test once; a failure is not cached). */
  function teamOfSingleToken(token: string): Promise<string> {
    if (!singleTeam) {
      singleTeam = client(token)
        .auth.test()
        .then((r) => {
          if (!r.team_id) throw new DeliveryError('auth.test answered without a team id', true);
          return r.team_id;
        });
      singleTeam.catch(() => {
        singleTeam = null;
      });
    }
    return singleTeam;
  }

  async function tokenFor(teamId: string): Promise<string> {
    const db = options.db();
    const state = workspaceState(db, teamId);
    if (state?.status === 'paused') {
      throw new DeliveryError(
        `Slack workspace ${teamId} is paused (${state.pausedReason ?? 'app uninstalled'}); deliveries resume when the app is installed again`,
        true,
        pausedRetryMs,
      );
    }
    if (config.auth === 'oauth') {
      const installation = config.tokenEncryptionKey ? loadInstallation(db, config.tokenEncryptionKey, teamKey(teamId)) : null;
      const token = installation?.bot?.token;
      // Held, not failed: the workspace may be installed (again) before the delivery's maximum age.
      if (!token) throw new DeliveryError(`ExportWatch is not installed in Slack workspace ${teamId}`, true, pausedRetryMs);
      return token;
    }
    const token = config.botToken?.reveal();
    if (!token) throw new DeliveryError('no Slack bot token is configured (SLACK_BOT_TOKEN)', false);
    let team: string;
    try {
      team = await teamOfSingleToken(token);
    } catch (err) {
      throw err instanceof DeliveryError ? err : toDeliveryError(err, 'slack auth.test');
    }
    if (team !== teamId) throw new DeliveryError(`SLACK_BOT_TOKEN belongs to Slack workspace ${team}, not ${teamId}`, false);
    return token;
  }

  async function postReplies(c: WebClient, channel: string, ts: string, replies: ReturnType<typeof renderMessage>['thread'], where: string): Promise<void> {
    for (const [i, reply] of replies.entries()) {
      let tries = 0;
      for (;;) {
        await sleep(spacing);
        try {
          await c.chat.postMessage({ channel, thread_ts: ts, ...reply, link_names: false });
          break;
        } catch (err) {
          const e = toDeliveryError(err, `${where} thread reply ${i + 1}/${replies.length}`);
          tries += 1;
          if (e.retryable && tries < 3 && (e.retryAfterMs ?? 0) <= MAX_REPLY_WAIT_MS) {
            await sleep(e.retryAfterMs ?? 0);
            continue;
          }
          logger.warn(`${e.message}; the main message was posted (ts ${ts}), the rest of the thread is skipped`);
          return;
        }
      }
    }
  }

  return {
    platform: 'slack',
    async send(destination: Destination, message: Message, meta: { idempotencyKey: string }) {
      if (destination.platform !== 'slack') throw new DeliveryError(`the Slack adapter cannot send to ${destination.platform}`, false);
      const [teamId, channel] = destination.address.split('/');
      if (!teamId || !channel) throw new DeliveryError(`not a Slack destination: slack:${destination.address}`, false);
      const where = `slack ${teamId}/${channel}`;
      const token = await tokenFor(teamId);
      const c = client(token);
      const rendered = renderMessage(message, { thread: true });
      let ts: string | undefined;
      try {
        const answer = await c.chat.postMessage({
          channel,
          ...rendered.main,
          link_names: false,
          metadata: { event_type: 'exportwatch_delivery', event_payload: { delivery_id: meta.idempotencyKey } },
        });
        ts = answer.ts;
      } catch (err) {
        const e = toDeliveryError(err, where);
        const code = slackErrorCode(err);
        if (code === 'not_in_channel' || code === 'channel_not_found') {
          throw new DeliveryError(`${e.message} — invite the ExportWatch app to the channel (/invite @ExportWatch)`, false);
        }
        throw e;
      }
      if (!ts) return { messageId: meta.idempotencyKey };
      if (rendered.thread.length > 0) await postReplies(c, channel, ts, rendered.thread, where);
      return { messageId: ts };
    },
  };
}
