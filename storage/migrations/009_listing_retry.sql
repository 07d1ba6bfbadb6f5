-- A listing whose attempts ran out (each attempt is counted before it starts, so a listing that kills the process
-- is not read on every restart) is no longer given up for good: it is tried again at `next_attempt_at`, with a
-- delay that doubles per extra attempt (1 h, 2 h, 4 h … at most 24 h). Attempts cut off by a crash or a kill that
-- had nothing to do with the listing therefore delay it instead of losing it.
ALTER TABLE listings ADD COLUMN next_attempt_at TEXT;
