-- Arrivals that answer no restock the shop waits for (domain/restock_plans.h, plan_arrival): one
-- row per request id, kept, not added to the stock, until the operator releases (applies it once)
-- or discards it. Retention never prunes this table. The running totals arrivals_held and
-- arrivals_held_waiting start at zero: nothing was held before this table.
CREATE TABLE held_arrivals (
  request_id     TEXT PRIMARY KEY,
  restock_id     TEXT,
  product_id     TEXT NOT NULL,
  quantity       INTEGER NOT NULL,
  factory_id     TEXT,
  received_at_ms INTEGER NOT NULL,
  reason         TEXT NOT NULL,
  held_at_ms     INTEGER NOT NULL,
  decision       TEXT,
  decided_at_ms  INTEGER
) WITHOUT ROWID;
CREATE INDEX held_arrivals_by_time ON held_arrivals (held_at_ms);
