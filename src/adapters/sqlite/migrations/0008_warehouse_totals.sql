-- Running totals of restocks, arrivals and timelines (domain/figures.h), kept by the store in
-- the transaction that changes what they count, so /metrics and /admin/stats read a few rows
-- per product instead of aggregating the whole history at every scrape. Backfilled here from
-- the history the warehouse holds.
CREATE TABLE warehouse_totals (
  figure  TEXT NOT NULL,
  subject TEXT NOT NULL,
  total   INTEGER NOT NULL,
  PRIMARY KEY (figure, subject)
) WITHOUT ROWID;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'arrivals', product_id, count(*) FROM arrivals GROUP BY product_id;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'units_arrived', product_id, sum(quantity) FROM arrivals GROUP BY product_id;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'restocks_' || state, product_id, count(*) FROM restocks GROUP BY product_id, state;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'units_restocked', product_id, sum(quantity) FROM restocks WHERE state = 'arrived'
  GROUP BY product_id;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'timeline', kind, count(*) FROM restock_events GROUP BY kind;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'lead_time_le', bucket, count(*) FROM (
    SELECT CASE WHEN ms <= 1000 THEN '0' WHEN ms <= 2000 THEN '1' WHEN ms <= 5000 THEN '2'
                WHEN ms <= 10000 THEN '3' WHEN ms <= 30000 THEN '4' WHEN ms <= 60000 THEN '5'
                WHEN ms <= 120000 THEN '6' WHEN ms <= 300000 THEN '7' WHEN ms <= 600000 THEN '8'
                WHEN ms <= 1800000 THEN '9' WHEN ms <= 3600000 THEN '10' ELSE '11' END AS bucket
    FROM (SELECT arrived_at_ms - opened_at_ms AS ms FROM restocks WHERE arrived_at_ms IS NOT NULL))
  GROUP BY bucket;
INSERT INTO warehouse_totals (figure, subject, total)
  SELECT 'lead_time_ms', '', sum(arrived_at_ms - opened_at_ms) FROM restocks
  WHERE arrived_at_ms IS NOT NULL HAVING count(*) > 0;
