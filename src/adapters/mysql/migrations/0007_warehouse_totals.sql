-- Running totals of restocks, arrivals and timelines (see the SQLite script of the same name),
-- backfilled from the history. Rerun-safe: CREATE TABLE IF NOT EXISTS, and each backfill sets
-- the total it computes (ON DUPLICATE KEY UPDATE, never INSERT IGNORE). Run it while no role
-- writes (migrations run before the roles start): a total moved between its backfill and the
-- end of the script would be counted twice.
CREATE TABLE IF NOT EXISTS warehouse_totals (
  figure  VARCHAR(32) NOT NULL,
  subject VARCHAR(64) NOT NULL,
  total   BIGINT NOT NULL,
  PRIMARY KEY (figure, subject)
) ENGINE=InnoDB;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'arrivals', product_id, count(*) FROM arrivals GROUP BY product_id
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'units_arrived', product_id, sum(quantity) FROM arrivals GROUP BY product_id
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT CONCAT('restocks_', state), product_id, count(*) FROM restocks GROUP BY product_id, state
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'units_restocked', product_id, sum(quantity) FROM restocks WHERE state = 'arrived'
  GROUP BY product_id
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'timeline', kind, count(*) FROM restock_events GROUP BY kind
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'lead_time_le', bucket, count(*) FROM (
    SELECT CASE WHEN ms <= 1000 THEN '0' WHEN ms <= 2000 THEN '1' WHEN ms <= 5000 THEN '2'
                WHEN ms <= 10000 THEN '3' WHEN ms <= 30000 THEN '4' WHEN ms <= 60000 THEN '5'
                WHEN ms <= 120000 THEN '6' WHEN ms <= 300000 THEN '7' WHEN ms <= 600000 THEN '8'
                WHEN ms <= 1800000 THEN '9' WHEN ms <= 3600000 THEN '10' ELSE '11' END AS bucket
    FROM (SELECT arrived_at_ms - opened_at_ms AS ms FROM restocks
          WHERE arrived_at_ms IS NOT NULL) AS arrived) AS buckets
  GROUP BY bucket
  ON DUPLICATE KEY UPDATE total = VALUES(total);
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'lead_time_ms', '', sum(arrived_at_ms - opened_at_ms) FROM restocks
  WHERE arrived_at_ms IS NOT NULL HAVING count(*) > 0
  ON DUPLICATE KEY UPDATE total = VALUES(total);
