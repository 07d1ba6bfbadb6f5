-- Digests queued, one row per subscription and period (period key from src/alerts/digest-schedule.ts,
-- e.g. `2026-11-30/weekly`): the primary key makes queuing a digest idempotent. No foreign key to
-- subscriptions: the audit trail keeps digest runs of removed subscriptions.
CREATE TABLE digest_runs (
  subscription_id INTEGER NOT NULL,
  period_key TEXT NOT NULL,
  queued_at TEXT NOT NULL,
  PRIMARY KEY (subscription_id, period_key)
);
CREATE INDEX digest_runs_by_time ON digest_runs(subscription_id, queued_at);
