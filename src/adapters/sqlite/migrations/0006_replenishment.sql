-- The replenishment policy of each product (domain/replenishment.h), in its row so that the
-- sale's transaction reads nothing more: what the operator sets (the policy, the most one restock
-- asks for, 0 meaning ten restock quantities, and the service level in basis points) and what the
-- warehouse learns (the demand's weighted rates in millionths of units per second, and the lead
-- time). Existing products keep restocking at zero. And the orders refused for want of stock.
ALTER TABLE products ADD COLUMN replenishment_policy TEXT NOT NULL DEFAULT 'at_zero'
  CHECK (replenishment_policy IN ('at_zero', 'reorder_point'));
ALTER TABLE products ADD COLUMN max_restock_quantity INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN service_level_bp INTEGER NOT NULL DEFAULT 9500;
ALTER TABLE products ADD COLUMN demand_fast_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN demand_slow_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN demand_square_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN demand_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN lead_time_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN lead_time_deviation_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN lead_time_arrivals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE product_sales ADD COLUMN refused_orders INTEGER NOT NULL DEFAULT 0;
