-- Retention (app/pruner.h) deletes the oldest rows of these tables in small batches: an index on
-- each one's time lets a batch read only the rows it deletes. (The outbox's pending index,
-- (published_at_ms, id), already serves.) Rerun-safe: the migration runner passes over an index
-- that already exists (MySQL has no CREATE INDEX IF NOT EXISTS).
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (decided_at_ms);
CREATE INDEX restock_events_by_time ON restock_events (at_ms);
CREATE INDEX arrivals_by_time ON arrivals (applied_at_ms);
