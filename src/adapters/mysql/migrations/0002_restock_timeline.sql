-- A restock's timeline, and orders and units sold per product (see the SQLite script of the
-- same name). Written to be rerun after a half-applied run: indexes inside CREATE TABLE (MySQL
-- has no CREATE INDEX IF NOT EXISTS), the backfill skipping rows already there (ON DUPLICATE
-- KEY, never INSERT IGNORE, which would hide every other error too). Restocks by product
-- scan the restocks table (one row per stock-out).
CREATE TABLE IF NOT EXISTS restock_events (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  restock_id VARCHAR(64) NOT NULL,
  at_ms      BIGINT NOT NULL,
  kind       VARCHAR(32) NOT NULL,
  detail     VARCHAR(512) NOT NULL,
  outbox_id  BIGINT,
  INDEX restock_events_by_restock (restock_id, id),
  INDEX restock_events_by_kind (kind)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS product_sales (
  product_id VARCHAR(64) PRIMARY KEY,
  orders     BIGINT NOT NULL,
  units      BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT INTO product_sales (product_id, orders, units)
  SELECT p.id, count(o.id), coalesce(sum(o.quantity), 0)
  FROM products p LEFT JOIN orders o ON o.product_id = p.id GROUP BY p.id
  ON DUPLICATE KEY UPDATE product_id = product_sales.product_id;
