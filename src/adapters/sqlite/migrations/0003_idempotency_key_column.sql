-- The same column name as on MySQL, where KEY is a reserved word.
ALTER TABLE idempotency_keys RENAME COLUMN key TO idem_key;
