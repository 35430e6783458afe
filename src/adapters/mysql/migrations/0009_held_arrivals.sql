-- Arrivals that answer no restock the shop waits for (domain/restock_plans.h, plan_arrival): one
-- row per request id, kept, not added to the stock, until the operator releases (applies it once)
-- or discards it. Retention never prunes this table. The running totals arrivals_held and
-- arrivals_held_waiting start at zero: nothing was held before this table. Ids compare byte for
-- byte (utf8mb4_bin, as 0006 made every table). Rerun-safe.
CREATE TABLE IF NOT EXISTS held_arrivals (
  request_id     VARCHAR(128) PRIMARY KEY,
  restock_id     VARCHAR(128),
  product_id     VARCHAR(64) NOT NULL,
  quantity       BIGINT NOT NULL,
  factory_id     VARCHAR(255),
  received_at_ms BIGINT NOT NULL,
  reason         VARCHAR(32) NOT NULL,
  held_at_ms     BIGINT NOT NULL,
  decision       VARCHAR(16),
  decided_at_ms  BIGINT,
  INDEX held_arrivals_by_time (held_at_ms)
) ENGINE=InnoDB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
