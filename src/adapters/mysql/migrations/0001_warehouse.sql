-- Warehouse on MySQL/MariaDB: the same tables as the SQLite schema, in this dialect.
CREATE TABLE IF NOT EXISTS products (
  id                   VARCHAR(64) PRIMARY KEY,
  name                 VARCHAR(255) NOT NULL,
  price_cents          BIGINT NOT NULL,
  stock                BIGINT NOT NULL CHECK (stock >= 0),
  restock_quantity     BIGINT NOT NULL,
  open_restock_id      VARCHAR(64),
  restock_opened_at_ms BIGINT
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS orders (
  id            VARCHAR(32) PRIMARY KEY,
  product_id    VARCHAR(64) NOT NULL,
  quantity      BIGINT NOT NULL CHECK (quantity > 0),
  created_at_ms BIGINT NOT NULL,
  INDEX orders_by_product (product_id)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  idem_key      VARCHAR(128) PRIMARY KEY,
  product_id    VARCHAR(64) NOT NULL,
  quantity      BIGINT NOT NULL,
  status        VARCHAR(32) NOT NULL,
  order_id      VARCHAR(32),
  stock_left    BIGINT NOT NULL,
  restock_id    VARCHAR(64),
  decided_at_ms BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS restocks (
  id                  VARCHAR(64) PRIMARY KEY,
  product_id          VARCHAR(64) NOT NULL,
  quantity            BIGINT NOT NULL,
  state               VARCHAR(16) NOT NULL,
  opened_at_ms        BIGINT NOT NULL,
  claimed_by          VARCHAR(255),
  claim_expires_at_ms BIGINT NOT NULL DEFAULT 0,
  requested_at_ms     BIGINT,
  arrived_at_ms       BIGINT
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS arrivals (
  request_id     VARCHAR(128) PRIMARY KEY,
  restock_id     VARCHAR(128),
  product_id     VARCHAR(64) NOT NULL,
  quantity       BIGINT NOT NULL,
  factory_id     VARCHAR(255),
  received_at_ms BIGINT NOT NULL,
  applied_at_ms  BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS outbox (
  id              BIGINT AUTO_INCREMENT PRIMARY KEY,
  topic           VARCHAR(128) NOT NULL,
  type            VARCHAR(64) NOT NULL,
  body            TEXT NOT NULL,
  created_at_ms   BIGINT NOT NULL,
  published_at_ms BIGINT,
  INDEX outbox_pending (published_at_ms, id)
) ENGINE=InnoDB;
