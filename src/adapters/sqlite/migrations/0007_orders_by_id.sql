-- Orders stored in their id's order alone: a table clustered on the id (WITHOUT ROWID), and no
-- index by product (nothing reads orders by product; product_sales holds the totals). A sale
-- then writes one b-tree entry instead of three (rowid table, id index, product index), which
-- is most of what a batch of orders costs the warehouse. ULIDs grow with time, so new orders
-- land at the end of the tree. Rebuilding copies every order once, in id order.
CREATE TABLE orders_by_id (
  id            TEXT PRIMARY KEY,
  product_id    TEXT NOT NULL REFERENCES products(id),
  quantity      INTEGER NOT NULL CHECK (quantity > 0),
  created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO orders_by_id (id, product_id, quantity, created_at_ms)
  SELECT id, product_id, quantity, created_at_ms FROM orders ORDER BY id;
DROP TABLE orders;
ALTER TABLE orders_by_id RENAME TO orders;
