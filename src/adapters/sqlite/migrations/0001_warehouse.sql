-- Warehouse: catalogue and stock, orders, idempotency records, restocks, arrivals, outbox.
CREATE TABLE products (
  id                   TEXT PRIMARY KEY,
  name                 TEXT NOT NULL,
  price_cents          INTEGER NOT NULL,
  stock                INTEGER NOT NULL CHECK (stock >= 0),
  restock_quantity     INTEGER NOT NULL,
  open_restock_id      TEXT,
  restock_opened_at_ms INTEGER
);

CREATE TABLE orders (
  id            TEXT PRIMARY KEY,
  product_id    TEXT NOT NULL REFERENCES products(id),
  quantity      INTEGER NOT NULL CHECK (quantity > 0),
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX orders_by_product ON orders(product_id);

-- The first answer given to an Idempotency-Key, replayed to every later request with it.
CREATE TABLE idempotency_keys (
  key            TEXT PRIMARY KEY,
  product_id     TEXT NOT NULL,
  quantity       INTEGER NOT NULL,
  status         TEXT NOT NULL,
  order_id       TEXT,
  stock_left     INTEGER NOT NULL,
  restock_id     TEXT,
  decided_at_ms  INTEGER NOT NULL
);

CREATE TABLE restocks (
  id                  TEXT PRIMARY KEY,
  product_id          TEXT NOT NULL,
  quantity            INTEGER NOT NULL,
  state               TEXT NOT NULL,
  opened_at_ms        INTEGER NOT NULL,
  claimed_by          TEXT,
  claim_expires_at_ms INTEGER NOT NULL DEFAULT 0,
  requested_at_ms     INTEGER,
  arrived_at_ms       INTEGER
);

-- One row per applied manufacture request: the primary key makes arrivals exactly-once.
CREATE TABLE arrivals (
  request_id     TEXT PRIMARY KEY,
  restock_id     TEXT,
  product_id     TEXT NOT NULL,
  quantity       INTEGER NOT NULL,
  factory_id     TEXT,
  received_at_ms INTEGER NOT NULL,
  applied_at_ms  INTEGER NOT NULL
);

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  topic           TEXT NOT NULL,
  type            TEXT NOT NULL,
  body            TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  published_at_ms INTEGER
);
CREATE INDEX outbox_pending ON outbox(id) WHERE published_at_ms IS NULL;
