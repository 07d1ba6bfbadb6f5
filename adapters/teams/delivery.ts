// The `teams` delivery adapter: the outbox sends `teams:<conversation id>` deliveries through here, as proactive
// Adaptive Card messages into the stored conversation (continueConversationAsync, behind platform.ts).
//
// Answers: 2xx sent (the message id is the new activity's id); 429 retryable after Retry-After (Teams allows about
// 50 requests a second per app and tenant); 408, 5xx, network errors and timeouts retryable; 403 and 404 — the bot was
// removed from the team or chat, or the conversation is gone — permanent (reported to the operators), and the
// conversation is paused so that later deliveries wait for the app to be added again; 401 (our credentials refused)
// and other 4xx permanent. A conversation the bot was never in is a permanent failure that says how to fix it; a
// paused one holds its deliveries (retryable, looked at again after a while, failed at the outbox's maximum age).
// Teams has no idempotency key: a crash between the send and its record can post a message twice.
import type { Message } from '../../src/alerts/message.js';
import { DeliveryError, type DeliveryAdapter, type Destination } from '../../src/alerts/types.js';
import { parseRetryAfter } from '../webhook/index.js';
import type { Db } from '../../storage/db.js';
import { getConversation, pauseConversation } from '../../storage/teams.js';
import { cardActivity } from './cards.js';
import { serviceUrlProblem } from './bot.js';
import { ConnectorError, type BotPlatform, type LogSink } from './platform.js';

export const DEFAULT_PAUSED_RETRY_MS = 15 * 60_000;

export interface TeamsDeliveryOptions {
  /** The bot SDK (created on first use). */
  platform: () => BotPlatform;
  /** The store with the conversation references (opened on first use). */
  db: () => Db;
  /** How long a paused conversation's delivery waits before it is looked at again (default 15 min). */
  pausedRetryMs?: number;
  allowLoopbackServiceUrl?: boolean;
  log?: LogSink;
  now?: () => Date;
}

export function createTeamsDeliveryAdapter(options: TeamsDeliveryOptions): DeliveryAdapter {
  const pausedRetryMs = options.pausedRetryMs ?? DEFAULT_PAUSED_RETRY_MS;
  const now = options.now ?? (() => new Date());
  const log: LogSink = options.log ?? (() => undefined);

  return {
    platform: 'teams',
    async send(destination: Destination, message: Message, meta: { idempotencyKey: string }) {
      if (destination.platform !== 'teams') throw new DeliveryError(`the Teams adapter cannot send to ${destination.platform}`, false);
      const where = `teams:${destination.address}`;
      const db = options.db();
      const conversation = getConversation(db, destination.address);
      if (conversation === null) {
        throw new DeliveryError(
          `ExportWatch has no conversation reference for ${where}: add the app to that team or chat (or mention @ExportWatch there once) and subscribe from there`,
          false,
        );
      }
      if (conversation.status === 'paused') {
        throw new DeliveryError(
          `${where} is paused (${conversation.pausedReason ?? 'app removed'}); deliveries resume when the app is added to the conversation again`,
          true,
          pausedRetryMs,
        );
      }
      const problem = serviceUrlProblem(conversation.serviceUrl, options.allowLoopbackServiceUrl === true);
      if (problem) throw new DeliveryError(`${where}: the stored service URL is ${problem}`, false);
      const { activity, rendered } = cardActivity(message);
      if (rendered.summarised)
        log('info', `teams: ${where}: card summarised to ${rendered.shownItems} of ${rendered.totalItems} changes (${rendered.bytes} bytes)`);
      let id: string | undefined;
      try {
        id = await options.platform().send(conversation.reference, activity);
      } catch (err) {
        if (!(err instanceof ConnectorError)) throw new DeliveryError(`${where}: ${(err as Error).message}`, true);
        const { status } = err;
        const retryAfterMs = parseRetryAfter(err.retryAfter, now());
        if (status === 0 || status === 408 || status === 429 || status >= 500) throw new DeliveryError(`${where}: ${err.message}`, true, retryAfterMs);
        if (status === 403 || status === 404) {
          pauseConversation(db, destination.address, `Teams answered ${status}${err.code ? ` (${err.code})` : ''}`, now());
          log('warn', `teams: ${where} answered ${status}: the app was removed or the conversation is gone; deliveries paused`);
          throw new DeliveryError(
            `${where}: ${err.message} — the app was removed from this team or chat (or it no longer exists); later deliveries wait until the app is added again`,
            false,
          );
        }
        if (status === 401)
          throw new DeliveryError(`${where}: ${err.message} — check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID`, false);
        throw new DeliveryError(`${where}: ${err.message}`, false);
      }
      return { messageId: id ?? meta.idempotencyKey };
    },
  };
}
