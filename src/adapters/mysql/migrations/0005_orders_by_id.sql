-- Orders without the index by product (see the SQLite script of the same name): InnoDB already
-- clusters the table on the id, and nothing reads orders by product. Rerun-safe: the index is
-- dropped only while it exists (MySQL has no DROP INDEX IF EXISTS).
SET @drop_orders_by_product = (
  SELECT IF(count(*) > 0, 'ALTER TABLE orders DROP INDEX orders_by_product', 'DO 0')
  FROM information_schema.statistics
  WHERE table_schema = DATABASE() AND table_name = 'orders' AND index_name = 'orders_by_product');
PREPARE drop_orders_by_product FROM @drop_orders_by_product;
EXECUTE drop_orders_by_product;
DEALLOCATE PREPARE drop_orders_by_product;
