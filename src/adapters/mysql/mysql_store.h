// Store port on MySQL/MariaDB (self-hosted, and RDS on AWS): the shared SQL warehouse
// (adapters/sql/warehouse_store.h) with MySQL's statements. Rows a transaction will change are
// read with SELECT ... FOR UPDATE, so concurrent `sales` processes serialise on the product row
// and never oversell; a deadlock or duplicate-key race retries the whole transaction
// (adapters/mysql/database.h).
#pragma once

#include <string_view>

#include "adapters/mysql/database.h"
#include "adapters/sql/warehouse_store.h"

namespace donut::mysql {

struct MysqlDialect {
  // Claims are taken at READ COMMITTED (mysql::Database::transaction_read_committed).
  static constexpr bool kClaimsReadCommitted = true;
  // InnoDB releases a transaction's row locks at COMMIT before its log is flushed: a second
  // batch locks the hot product and runs its statements during the first one's fsync, and its
  // own flush (which cannot finish before the first's) then covers both.
  static constexpr std::size_t kPipelinedBatches = 2;
  static constexpr std::string_view kUpsertProduct =
      "INSERT INTO products (id, name, price_cents, stock, restock_quantity, replenishment_policy, "
      "max_restock_quantity, service_level_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE name = VALUES(name), price_cents = VALUES(price_cents), "
      "restock_quantity = VALUES(restock_quantity), "
      "replenishment_policy = VALUES(replenishment_policy), "
      "max_restock_quantity = VALUES(max_restock_quantity), "
      "service_level_bp = VALUES(service_level_bp)";
  // Never INSERT IGNORE: it turns every error of the row (a value too long, a NULL, a bad
  // type) into a warning and writes something else. These hide only the duplicate key.
  static constexpr std::string_view kInsertSalesRowIfNew =
      "INSERT INTO product_sales (product_id, orders, units) VALUES (?, 0, 0) "
      "ON DUPLICATE KEY UPDATE product_id = product_id";
  static constexpr std::string_view kSelectProductLocked =
      "SELECT " DONUT_SQL_PRODUCT_COLUMNS " FROM products WHERE id = ? FOR UPDATE";
  static constexpr std::string_view kSelectStockLocked =
      "SELECT id, stock, restock_quantity, open_restock_id, "
      "restock_opened_at_ms, " DONUT_SQL_REPLENISHMENT_COLUMNS
      " FROM products WHERE id = ? FOR UPDATE";
  static constexpr std::string_view kSelectRestockLocked =
      "SELECT id, product_id, quantity, state, opened_at_ms, claimed_by, claim_expires_at_ms, "
      "requested_at_ms, arrived_at_ms FROM restocks WHERE id = ? FOR UPDATE";
  // 0 rows when the request id is there (CLIENT_FOUND_ROWS makes an ON DUPLICATE KEY no-op
  // count as 1, so the absence is tested instead). Two transactions racing past NOT EXISTS
  // meet the primary key; the loser's duplicate-key error retries it, and then it inserts 0.
  static constexpr std::string_view kInsertArrivalIfNew =
      "INSERT INTO arrivals (request_id, restock_id, product_id, quantity, factory_id, "
      "received_at_ms, applied_at_ms) SELECT * FROM (SELECT ? AS request_id, ? AS restock_id, "
      "? AS product_id, ? AS quantity, ? AS factory_id, ? AS received_at_ms, ? AS applied_at_ms) "
      "AS n WHERE NOT EXISTS (SELECT 1 FROM arrivals a WHERE a.request_id = n.request_id)";
  static constexpr std::string_view kSelectHeldLocked =
      "SELECT " DONUT_SQL_HELD_COLUMNS " FROM held_arrivals WHERE request_id = ? FOR UPDATE";
  static constexpr std::string_view kAddToTotal =
      "INSERT INTO warehouse_totals (figure, subject, total) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE total = total + VALUES(total)";
  // Pruning: an index on each time (migration 0008; the outbox's pending index serves), so a
  // pass reads only the rows it deletes.
  static constexpr std::string_view kPruneIdempotencyKeys =
      "DELETE FROM idempotency_keys WHERE decided_at_ms < ? ORDER BY decided_at_ms LIMIT ?";
  static constexpr std::string_view kPrunePublishedOutbox =
      "DELETE FROM outbox WHERE published_at_ms < ? ORDER BY published_at_ms LIMIT ?";
  static constexpr std::string_view kPruneTimelineEntries =
      "DELETE FROM restock_events WHERE at_ms < ? ORDER BY at_ms LIMIT ?";
  static constexpr std::string_view kPruneArrivals =
      "DELETE FROM arrivals WHERE applied_at_ms < ? ORDER BY applied_at_ms LIMIT ?";
  // Pending outbox entries no live claim holds, oldest first: (now, max). Rows another
  // publisher is claiming right now are skipped, not waited for.
  static constexpr std::string_view kSelectClaimableOutbox =
      "SELECT o.id, o.topic, o.type, o.body, o.created_at_ms FROM outbox o "
      "LEFT JOIN outbox_claims c ON c.outbox_id = o.id "
      "WHERE o.published_at_ms IS NULL AND (c.claimed_until_ms IS NULL OR c.claimed_until_ms <= ?) "
      "ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED";
  static constexpr std::string_view kUpsertOutboxClaim =
      "INSERT INTO outbox_claims (outbox_id, claimed_by, claimed_until_ms) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE claimed_by = VALUES(claimed_by), "
      "claimed_until_ms = VALUES(claimed_until_ms)";
  // The id of the row `s`, an INSERT, added.
  static int64_t inserted_id(Connection&, const Statement& s) { return s.insert_id(); }
};

using MysqlStore = sql::WarehouseStore<Database, MysqlDialect>;

}  // namespace donut::mysql

extern template class donut::sql::WarehouseStore<donut::mysql::Database,
                                                 donut::mysql::MysqlDialect>;
