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
CREATE INDEX restock_events_by_kind ON restock_events(kind);
CREATE INDEX restocks_by_product ON restocks(product_id, opened_at_ms);

-- Orders and units sold per product, kept by place_orders in its transaction, so the figures
-- the console and the metrics read every few seconds do not scan every order.
CREATE TABLE product_sales (
  product_id TEXT PRIMARY KEY,
  orders     INTEGER NOT NULL,
  units      INTEGER NOT NULL
);
INSERT INTO product_sales (product_id, orders, units)
  SELECT p.id, count(o.id), coalesce(sum(o.quantity), 0)
  FROM products p LEFT JOIN orders o ON o.product_id = p.id GROUP BY p.id;
