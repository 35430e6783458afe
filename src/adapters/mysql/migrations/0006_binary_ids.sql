-- Ids compare byte for byte, as the API and SQLite compare them. A database created before donut
-- first ran (MARIADB_DATABASE in compose.yaml and the Kubernetes manifests, db_name on RDS) has
-- the server's default collation, case-insensitive on MariaDB and MySQL alike, and every table
-- took it: `Glazed` and `GLAZED` were one row, and an Idempotency-Key `Alice-1` replayed the
-- order of `alice-1`. The database's default and every table become utf8mb4_bin. Converting
-- rewrites a table (a lock for as long as that takes, once); on a table already in utf8mb4_bin
-- it changes nothing, so the script is rerun-safe.
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE products CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE idempotency_keys CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE restocks CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE arrivals CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE outbox CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE restock_events CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE product_sales CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE outbox_claims CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE schema_migrations CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
