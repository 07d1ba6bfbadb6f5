// Prometheus metrics: polls, errors, notices and changes, by source and register.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SourceOutcome } from './pipeline/poll.js';

export interface Metrics {
  registry: Registry;
  observe(outcome: SourceOutcome): void;
  sourceUp: Gauge<'source'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'exportwatch_process_' });
  const polls = new Counter({ name: 'exportwatch_polls_total', help: 'Polls by source and outcome', labelNames: ['source', 'outcome'], registers: [registry] });
  const errors = new Counter({
    name: 'exportwatch_poll_errors_total',
    help: 'Source errors by source and reason',
    labelNames: ['source', 'reason'],
    registers: [registry],
  });
  const notices = new Counter({
    name: 'exportwatch_notices_total',
    help: 'Notices processed by source and outcome',
    labelNames: ['source', 'outcome'],
    registers: [registry],
  });
  const changes = new Counter({
    name: 'exportwatch_changes_total',
    help: 'Entry changes recorded by register and kind',
    labelNames: ['register', 'kind'],
    registers: [registry],
  });
  const sourceUp = new Gauge({
    name: 'exportwatch_source_up',
    help: '1 when the last poll of the source succeeded',
    labelNames: ['source'],
    registers: [registry],
  });
  return {
    registry,
    sourceUp,
    observe(outcome) {
      polls.inc({ source: outcome.sourceId, outcome: outcome.ok ? 'ok' : 'error' });
      sourceUp.set({ source: outcome.sourceId }, outcome.ok ? 1 : 0);
      if (outcome.error) errors.inc({ source: outcome.sourceId, reason: outcome.error.reason });
      for (const n of outcome.notices) {
        notices.inc({ source: outcome.sourceId, outcome: n.outcome });
        for (const r of n.registers) for (const c of r.changes ?? []) changes.inc({ register: r.register, kind: c.kind });
      }
    },
  };
}
