-- A restock's timeline: what the store did to it (in the transaction that did it) and what
-- workers saw (deliveries, the factory's answers, mails). `outbox_id` links a queued event to
-- its outbox row, whose published_at_ms says when the relay published it.
CREATE TABLE restock_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  restock_id TEXT NOT NULL,
  at_ms      INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  detail     TEXT NOT NULL,
  outbox_id  INTEGER
);
CREATE INDEX restock_events_by_restock ON restock_events(restock_id, id);
CREATE INDEX restocks_by_product ON restocks(product_id, opened_at_ms);
