-- A restock's timeline (see the SQLite script of the same name). Indexes are declared inside
-- CREATE TABLE so that a rerun after a half-applied script is harmless (MySQL has no CREATE
-- INDEX IF NOT EXISTS); restocks are looked up by product through the same table's rows.
CREATE TABLE IF NOT EXISTS restock_events (
  id         BIGINT AUTO_INCREMENT PRIMARY KEY,
  restock_id VARCHAR(64) NOT NULL,
  at_ms      BIGINT NOT NULL,
  kind       VARCHAR(32) NOT NULL,
  detail     VARCHAR(512) NOT NULL,
  outbox_id  BIGINT,
  INDEX restock_events_by_restock (restock_id, id)
) ENGINE=InnoDB;
