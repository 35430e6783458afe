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
  static constexpr std::string_view kUpsertProduct =
      "INSERT INTO products (id, name, price_cents, stock, restock_quantity, replenishment_policy, "
      "max_restock_quantity, service_level_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE name = VALUES(name), price_cents = VALUES(price_cents), "
      "restock_quantity = VALUES(restock_quantity), "
      "replenishment_policy = VALUES(replenishment_policy), "
      "max_restock_quantity = VALUES(max_restock_quantity), "
      "service_level_bp = VALUES(service_level_bp)";
  static constexpr std::string_view kInsertSalesRowIfNew =
      "INSERT IGNORE INTO product_sales (product_id, orders, units) VALUES (?, 0, 0)";
  static constexpr std::string_view kSelectProductLocked =
      "SELECT " DONUT_SQL_PRODUCT_COLUMNS " FROM products WHERE id = ? FOR UPDATE";
  static constexpr std::string_view kSelectStockLocked =
      "SELECT stock, restock_quantity, open_restock_id, "
      "restock_opened_at_ms, " DONUT_SQL_REPLENISHMENT_COLUMNS
      " FROM products WHERE id = ? FOR UPDATE";
  static constexpr std::string_view kSelectRestockLocked =
      "SELECT id, product_id, quantity, state, opened_at_ms, claimed_by, claim_expires_at_ms, "
      "requested_at_ms, arrived_at_ms FROM restocks WHERE id = ? FOR UPDATE";
  static constexpr std::string_view kInsertArrivalIfNew =
      "INSERT IGNORE INTO arrivals (request_id, restock_id, product_id, quantity, factory_id, "
      "received_at_ms, applied_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)";
  // The id of the row `s`, an INSERT, added.
  static int64_t inserted_id(Connection&, const Statement& s) { return s.insert_id(); }
};

using MysqlStore = sql::WarehouseStore<Database, MysqlDialect>;

}  // namespace donut::mysql

extern template class donut::sql::WarehouseStore<donut::mysql::Database,
                                                 donut::mysql::MysqlDialect>;
