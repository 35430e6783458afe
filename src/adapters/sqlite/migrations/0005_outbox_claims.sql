-- Which publisher holds a pending outbox entry, until when: a relay or a sales process claims
-- entries before publishing them, so publishers running at once publish each entry once; a
-- claim ends when its entry is published, is given up, or its lease runs out (a dead publisher).
CREATE TABLE outbox_claims (
  outbox_id        INTEGER PRIMARY KEY,
  claimed_by       TEXT NOT NULL,
  claimed_until_ms INTEGER NOT NULL
);
