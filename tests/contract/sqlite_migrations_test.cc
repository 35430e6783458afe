// Schema migrations on SQLite: a fresh file gets every script, a reopen applies nothing, an
// older warehouse is upgraded with its rows intact, a newer one is refused, and processes that
// open a fresh file at the same moment agree on one schema.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "adapters/clock/clocks.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/migrations.h"
#include "adapters/sqlite/sqlite_store.h"
#include "contract/store_contract.h"
#include "support/temp_dir.h"

namespace donut {
namespace {

int latest_version() {
  return sqlite::migrations().back().version;
}

// Runs `sql` on `path` with the bare SQLite API, as an older donut or another tool would.
void run_raw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  EXPECT_EQ(rc, SQLITE_OK) << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

int64_t query_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

TEST(SqliteMigrations, VersionsRunFromOneWithoutGaps) {
  const auto scripts = sqlite::migrations();
  ASSERT_FALSE(scripts.empty());
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    EXPECT_EQ(scripts[i].version, static_cast<int>(i) + 1);
    EXPECT_EQ(std::stoi(std::string(scripts[i].name.substr(0, 4))), scripts[i].version);
  }
}

TEST(SqliteMigrations, AFreshFileGetsEveryScriptAndAReopenAppliesNothing) {
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  clock::SystemClock clock;
  {
    auto db = sqlite::Database::open({path, 2, true});
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ((*db)->schema_version(), latest_version());
    sqlite::SqliteStore store(*db, clock);
    ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 7, 10}));
  }
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), latest_version());
  auto again = sqlite::Database::open({path, 2, true});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->schema_version(), latest_version());
  sqlite::SqliteStore store(*again, clock);
  EXPECT_EQ(store.get_product("CP-1")->stock, 7);
}

TEST(SqliteMigrations, AnOlderWarehouseIsUpgradedWithItsRows) {
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  // A warehouse written by a donut that knew only the first script.
  run_raw(path, std::string(sqlite::migrations().front().sql) +
                    "PRAGMA user_version = 1;"
                    "INSERT INTO products (id, name, price_cents, stock, restock_quantity) "
                    "VALUES ('CP-1', 'Glazed', 250, 7, 10);"
                    "INSERT INTO products (id, name, price_cents, stock, restock_quantity) "
                    "VALUES ('CP-2', 'Plain', 200, 3, 10);"
                    "INSERT INTO orders (id, product_id, quantity, created_at_ms) VALUES "
                    "('o-1', 'CP-1', 1, 1), ('o-2', 'CP-1', 4, 2);"
                    "INSERT INTO idempotency_keys (key, product_id, quantity, status, order_id, "
                    "stock_left, decided_at_ms) VALUES ('k-1', 'CP-1', 1, 'sold', 'o-1', 6, 1);");

  auto db = sqlite::Database::open({path, 2, true});
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ((*db)->schema_version(), latest_version());
  clock::SystemClock clock;
  sqlite::SqliteStore store(*db, clock);
  EXPECT_EQ(store.get_product("CP-1")->stock, 7);
  EXPECT_EQ(query_int(path, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = 'k-1'"), 1)
      << "the renamed column kept its value";
  // The sales totals start from the orders already there, for every product.
  auto stats = store.stats();
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->products.size(), 2u);
  EXPECT_EQ(stats->products[0].orders, 2);
  EXPECT_EQ(stats->products[0].units_sold, 5);
  EXPECT_EQ(stats->products[1].orders, 0);
  std::vector<domain::OrderRequest> more{{"o-3", "CP-2", 2, ""}};
  ASSERT_TRUE(store.place_orders(more));
  EXPECT_EQ(store.stats()->products[1].units_sold, 2) << "and grow with the next sale";
  // Every product keeps restocking at zero, with nothing learned yet.
  const auto kept = *store.get_product("CP-1");
  EXPECT_EQ(kept.replenishment.settings, domain::ReplenishmentSettings{});
  EXPECT_EQ(kept.replenishment.lead_time.arrivals, 0);
  EXPECT_EQ(kept.figures.rule.order_quantity, 10);
  EXPECT_EQ(store.stats()->products[1].orders_refused, 0);
  // The schema refuses a policy it does not know.
  run_raw(path, "UPDATE products SET replenishment_policy = 'at_zero' WHERE id = 'CP-1';");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(raw, "UPDATE products SET replenishment_policy = 'hoard'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  // The orders moved into the table keyed by id alone, every one of them.
  EXPECT_EQ(store.get_order("o-2")->quantity, 4);
  EXPECT_EQ(store.get_order("o-3")->product_id, "CP-2");
  EXPECT_EQ(query_int(path, "SELECT COUNT(*) FROM orders"), 3);
  EXPECT_EQ(query_int(path,
                      "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'orders' AND "
                      "sql LIKE '%WITHOUT ROWID%'"),
            1);
  EXPECT_EQ(query_int(path, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'orders_by_product'"),
            0);
}

// A warehouse with history, from before the running totals: the migration computes them from the
// rows, so its figures are the ones the old aggregate queries gave.
TEST(SqliteMigrations, TheRunningTotalsStartFromTheHistory) {
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  std::string expected;
  {
    auto db = sqlite::Database::open({path, 2, true});
    ASSERT_TRUE(db) << db.error().message;
    clock::ManualClock clock;
    sqlite::SqliteStore store(*db, clock);
    ASSERT_NO_FATAL_FAILURE(live_some_history(store, clock));
    expected = stats_figures(store);
  }
  // As version 7 left it: no totals table (0008), no held arrivals (0009).
  run_raw(path, "DROP TABLE warehouse_totals; DROP TABLE held_arrivals; PRAGMA user_version = 7;");

  auto db = sqlite::Database::open({path, 2, true});
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ((*db)->schema_version(), latest_version());
  clock::ManualClock clock;
  sqlite::SqliteStore store(*db, clock);
  EXPECT_EQ(stats_figures(store), expected);
}

TEST(SqliteMigrations, ANewerWarehouseIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  run_raw(path, "PRAGMA user_version = " + std::to_string(latest_version() + 1) + ";");
  auto db = sqlite::Database::open({path, 2, true});
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(db.error().message.find("newer"), std::string::npos) << db.error().message;
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), latest_version() + 1) << "left as it was";
}

// Threads stand in for processes: SQLite locks the file the same way for both.
TEST(SqliteMigrations, OpenersOfAFreshFileAtTheSameMomentAgree) {
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  std::vector<Result<std::shared_ptr<sqlite::Database>>> opened(4, Error{});
  std::vector<std::thread> openers;
  for (std::size_t i = 0; i < opened.size(); ++i) {
    openers.emplace_back([&, i] { opened[i] = sqlite::Database::open({path, 2, true}); });
  }
  for (auto& t : openers) t.join();
  for (const auto& db : opened) {
    ASSERT_TRUE(db) << (db ? "" : db.error().message);
    EXPECT_EQ((*db)->schema_version(), latest_version());
  }
  EXPECT_EQ(query_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'products'"), 1);
}

}  // namespace
}  // namespace donut
