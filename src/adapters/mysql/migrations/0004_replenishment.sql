-- The replenishment policy of each product and the orders refused for want of stock (see the
-- SQLite script of the same name). MySQL has no ADD COLUMN IF NOT EXISTS (MariaDB has), so each
-- table gains its columns in one ALTER, run only when its first column is missing: a rerun after
-- a half-applied run completes it.
SET @donut_ddl = IF((SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
    AND TABLE_NAME = 'products' AND COLUMN_NAME = 'replenishment_policy') = 0,
  'ALTER TABLE products
     ADD COLUMN replenishment_policy VARCHAR(16) NOT NULL DEFAULT ''at_zero''
       CHECK (replenishment_policy IN (''at_zero'', ''reorder_point'')),
     ADD COLUMN max_restock_quantity BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN service_level_bp BIGINT NOT NULL DEFAULT 9500,
     ADD COLUMN demand_fast_micros BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN demand_slow_micros BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN demand_square_micros BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN demand_at_ms BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN lead_time_ms BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN lead_time_deviation_ms BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN lead_time_arrivals BIGINT NOT NULL DEFAULT 0',
  'DO 0');
PREPARE donut_ddl FROM @donut_ddl;
EXECUTE donut_ddl;
DEALLOCATE PREPARE donut_ddl;
SET @donut_ddl = IF((SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()
    AND TABLE_NAME = 'product_sales' AND COLUMN_NAME = 'refused_orders') = 0,
  'ALTER TABLE product_sales ADD COLUMN refused_orders BIGINT NOT NULL DEFAULT 0',
  'DO 0');
PREPARE donut_ddl FROM @donut_ddl;
EXECUTE donut_ddl;
DEALLOCATE PREPARE donut_ddl;
