-- Embedded broker: queues with redrive policies, topic subscriptions, messages.
CREATE TABLE broker_queues (
  name                  TEXT PRIMARY KEY,
  visibility_timeout_ms INTEGER NOT NULL,
  retention_ms          INTEGER NOT NULL,
  dead_letter_queue     TEXT,
  max_receive_count     INTEGER NOT NULL
);

CREATE TABLE broker_subscriptions (
  topic TEXT NOT NULL,
  queue TEXT NOT NULL,
  types TEXT NOT NULL,  -- comma-separated accepted `type` attributes; empty: all
  PRIMARY KEY (topic, queue)
);

CREATE TABLE broker_messages (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id    TEXT NOT NULL UNIQUE,
  queue         TEXT NOT NULL,
  body          TEXT NOT NULL,
  attributes    TEXT NOT NULL,  -- JSON object of string attributes
  sent_at_ms    INTEGER NOT NULL,
  visible_at_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  receipt       TEXT,
  source_queue  TEXT
);
CREATE INDEX broker_ready ON broker_messages(queue, visible_at_ms);
CREATE UNIQUE INDEX broker_receipts ON broker_messages(receipt) WHERE receipt IS NOT NULL;
