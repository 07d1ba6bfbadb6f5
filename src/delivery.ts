// Wires the outbox worker: adapters from the environment, retry and age settings from the config,
// failed deliveries reported to the operators.
import type { App } from './app.js';
import type { Config } from './config.js';
import { createOutboxWorker, type OutboxWorker } from './alerts/outbox.js';
import { createAdapters } from '../adapters/registry.js';
import { operatorEvent } from './alerts/events.js';
import { routeEvent } from './alerts/routing.js';
import { recordEvent } from '../storage/outbox.js';
import { SEVERITY_MARK } from './alerts/message.js';
import { displayDestination } from './alerts/destination.js';

export function makeOutboxWorker(
  app: App,
  config: Config,
  io: { stdout: NodeJS.WritableStream; env: NodeJS.ProcessEnv },
  options: { onError?: (err: unknown) => void; paused?: () => boolean } = {},
): OutboxWorker {
  return createOutboxWorker({
    db: app.db,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.paused ? { paused: options.paused } : {}),
    adapters: createAdapters({ env: io.env, stdout: io.stdout, userAgent: config.http.userAgent, db: app.db }),
    now: () => app.now(),
    retryBaseMs: config.delivery.retryBaseMs,
    maxAgeMs: config.delivery.maxAgeMs,
    onFailed: ({ delivery, error, reason }) => {
      // A delivery to an operator destination that fails is not reported again (no loop).
      if (config.operatorDestinations.includes(delivery.destination)) return;
      const at = app.now().toISOString();
      const event = operatorEvent({
        id: `delivery-failed:${delivery.id}`,
        kind: 'source-health',
        severity: 'high',
        at,
        message: {
          title: `${SEVERITY_MARK.high} Delivery ${delivery.id} to ${displayDestination(delivery.destination)} failed (${reason})`,
          severity: 'high',
          subtitle: error,
          links: [],
          sections: [],
          omitted: 0,
          context: ['See exportwatch export --what deliveries'],
        },
      });
      recordEvent(
        app.db,
        event,
        routeEvent(event, [], { now: app.now(), keywordMatcher: () => false, operatorDestinations: config.operatorDestinations }),
        app.now(),
      );
    },
  });
}
