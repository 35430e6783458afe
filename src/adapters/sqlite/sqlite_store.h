// Store port on SQLite (the embedded default): the shared SQL warehouse
// (adapters/sql/warehouse_store.h) with SQLite's statements. Transactions are BEGIN IMMEDIATE,
// so writers serialise on the database's write lock and a read inside one never goes stale;
// the "locked" selects need no FOR UPDATE.
#pragma once

#include <string_view>

#include "adapters/sql/warehouse_store.h"
#include "adapters/sqlite/database.h"

namespace donut::sqlite {

struct SqliteDialect {
  // One writer at a time: claims need no other isolation than BEGIN IMMEDIATE's.
  static constexpr bool kClaimsReadCommitted = false;
  // The write lock is held through the commit's fsync: a second batch would only wait for it.
  static constexpr std::size_t kPipelinedBatches = 1;
  static constexpr std::string_view kUpsertProduct =
      "INSERT INTO products (id, name, price_cents, stock, restock_quantity, replenishment_policy, "
      "max_restock_quantity, service_level_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, price_cents = excluded.price_cents, "
      "restock_quantity = excluded.restock_quantity, "
      "replenishment_policy = excluded.replenishment_policy, "
      "max_restock_quantity = excluded.max_restock_quantity, "
      "service_level_bp = excluded.service_level_bp";
  static constexpr std::string_view kInsertSalesRowIfNew =
      "INSERT INTO product_sales (product_id, orders, units) VALUES (?, 0, 0) "
      "ON CONFLICT (product_id) DO NOTHING";
  static constexpr std::string_view kSelectProductLocked =
      "SELECT " DONUT_SQL_PRODUCT_COLUMNS " FROM products WHERE id = ?";
  static constexpr std::string_view kSelectStockLocked =
      "SELECT id, stock, restock_quantity, open_restock_id, "
      "restock_opened_at_ms, " DONUT_SQL_REPLENISHMENT_COLUMNS " FROM products WHERE id = ?";
  static constexpr std::string_view kSelectRestockLocked =
      "SELECT id, product_id, quantity, state, opened_at_ms, claimed_by, claim_expires_at_ms, "
      "requested_at_ms, arrived_at_ms FROM restocks WHERE id = ?";
  static constexpr std::string_view kInsertArrivalIfNew =
      "INSERT INTO arrivals (request_id, restock_id, product_id, quantity, factory_id, "
      "received_at_ms, applied_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?) "
      "ON CONFLICT (request_id) DO NOTHING";
  static constexpr std::string_view kSelectHeldLocked =
      "SELECT " DONUT_SQL_HELD_COLUMNS " FROM held_arrivals WHERE request_id = ?";
  static constexpr std::string_view kAddToTotal =
      "INSERT INTO warehouse_totals (figure, subject, total) VALUES (?, ?, ?) "
      "ON CONFLICT (figure, subject) DO UPDATE SET total = total + excluded.total";
  // Pruning reads only the oldest N rows (rowid order is insertion order, and so time order)
  // and deletes those older than the time: no index to keep on the sale path, and a pass with
  // nothing due reads N rows, not the table. (?1: the time, ?2: N.)
  static constexpr std::string_view kPruneIdempotencyKeys =
      "DELETE FROM idempotency_keys WHERE rowid IN (SELECT r FROM (SELECT rowid AS r, "
      "decided_at_ms AS t FROM idempotency_keys ORDER BY rowid LIMIT ?2) WHERE t < ?1)";
  static constexpr std::string_view kPrunePublishedOutbox =
      "DELETE FROM outbox WHERE id IN (SELECT i FROM (SELECT id AS i, published_at_ms AS t "
      "FROM outbox ORDER BY id LIMIT ?2) WHERE t < ?1)";
  static constexpr std::string_view kPruneTimelineEntries =
      "DELETE FROM restock_events WHERE id IN (SELECT i FROM (SELECT id AS i, at_ms AS t "
      "FROM restock_events ORDER BY id LIMIT ?2) WHERE t < ?1)";
  static constexpr std::string_view kPruneArrivals =
      "DELETE FROM arrivals WHERE rowid IN (SELECT r FROM (SELECT rowid AS r, applied_at_ms AS t "
      "FROM arrivals ORDER BY rowid LIMIT ?2) WHERE t < ?1)";
  // Pending outbox entries no live claim holds, oldest first: (now, max).
  static constexpr std::string_view kSelectClaimableOutbox =
      "SELECT o.id, o.topic, o.type, o.body, o.created_at_ms FROM outbox o "
      "LEFT JOIN outbox_claims c ON c.outbox_id = o.id "
      "WHERE o.published_at_ms IS NULL AND (c.claimed_until_ms IS NULL OR c.claimed_until_ms <= ?) "
      "ORDER BY o.id LIMIT ?";
  static constexpr std::string_view kUpsertOutboxClaim =
      "INSERT INTO outbox_claims (outbox_id, claimed_by, claimed_until_ms) VALUES (?, ?, ?) "
      "ON CONFLICT (outbox_id) DO UPDATE SET claimed_by = excluded.claimed_by, "
      "claimed_until_ms = excluded.claimed_until_ms";
  // The id of the row the last INSERT on `c` added.
  template <class Statement>
  static int64_t inserted_id(Connection& c, const Statement&) {
    return c.last_insert_rowid();
  }
};

using SqliteStore = sql::WarehouseStore<Database, SqliteDialect>;

}  // namespace donut::sqlite

extern template class donut::sql::WarehouseStore<donut::sqlite::Database,
                                                 donut::sqlite::SqliteDialect>;
