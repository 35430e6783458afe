-- Which publisher holds a pending outbox entry, until when (see the SQLite script of the same
-- name). Rerun-safe: CREATE TABLE IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS outbox_claims (
  outbox_id        BIGINT PRIMARY KEY,
  claimed_by       VARCHAR(255) NOT NULL,
  claimed_until_ms BIGINT NOT NULL
) ENGINE=InnoDB;
