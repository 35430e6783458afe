// The store contract and the schema migrations on MySQL/MariaDB: a real server started for this
// test binary by scripts/test-server on a free port of 127.0.0.1, one fresh database per test.
#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "adapters/clock/clocks.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/migrations.h"
#include "adapters/mysql/mysql_store.h"
#include "contract/store_contract.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::MariaDbServer;

const bool kServer = testing::use_server<testing::MariaDbServer>();

INSTANTIATE_TEST_SUITE_P(Engines, StoreContract,
                         ::testing::Values(StoreEngine{
                             "mysql",
                             [](const ports::Clock& clock,
                                testing::TempDir&) -> std::unique_ptr<ports::Store> {
                               mysql::Database::Options options;
                               options.settings.port = MariaDbServer::port;
                               options.settings.database = "donut_" + random_hex(6);
                               options.pool_size = 4;
                               auto db = mysql::Database::open(options);
                               if (!db) throw ErrorException(db.error());
                               return std::make_unique<mysql::MysqlStore>(*db, clock);
                             }}),
                         [](const auto& info) { return info.param.name; });

mysql::Database::Options fresh_database() {
  mysql::Database::Options options;
  options.settings.port = MariaDbServer::port;
  options.settings.database = "donut_" + random_hex(6);
  options.pool_size = 2;
  return options;
}

int64_t query_int(mysql::Database& db, std::string_view sql) {
  auto value = db.with_connection([&](mysql::Connection& c) -> Result<int64_t> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
    DONUT_ASSIGN_OR_RETURN(bool row, s.next());
    return row ? s.column_int(0) : -1;
  });
  EXPECT_TRUE(value) << sql;
  return value ? *value : -1;
}

Status run(mysql::Database& db, std::string_view sql) {
  return db.with_connection([&](mysql::Connection& c) { return c.query(sql); });
}

const int kLatest = mysql::migrations().back().version;

TEST(MysqlMigrations, VersionsRunFromOneWithoutGaps) {
  const auto scripts = mysql::migrations();
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    EXPECT_EQ(scripts[i].version, static_cast<int>(i) + 1);
    EXPECT_EQ(std::stoi(std::string(scripts[i].name.substr(0, 4))), scripts[i].version);
  }
}

// Several roles starting at once against a new database: one applies the scripts, the others
// wait for it and find nothing left to do.
TEST(MysqlMigrations, ProcessesStartingTogetherMigrateOnce) {
  const auto options = fresh_database();
  std::vector<Result<std::shared_ptr<mysql::Database>>> opened(6, Error{});
  std::vector<std::thread> openers;
  for (std::size_t i = 0; i < opened.size(); ++i) {
    openers.emplace_back([&, i] { opened[i] = mysql::Database::open(options); });
  }
  for (auto& t : openers) t.join();
  for (const auto& db : opened) {
    ASSERT_TRUE(db) << (db ? "" : db.error().message);
    EXPECT_EQ((*db)->schema_version(), kLatest);
  }
  auto& db = **opened.front();
  EXPECT_EQ(query_int(db, "SELECT COUNT(*) FROM schema_migrations"),
            static_cast<int64_t>(mysql::migrations().size()));
  EXPECT_EQ(query_int(db, "SELECT MAX(version) FROM schema_migrations"), kLatest);
}

// MySQL commits each DDL statement by itself, so a script that failed half-way leaves some of
// its tables behind without its version recorded; the next start completes it.
TEST(MysqlMigrations, AScriptThatStoppedHalfWayCompletesOnTheNextStart) {
  const auto options = fresh_database();
  {
    auto db = mysql::Database::open(options);
    ASSERT_TRUE(db) << db.error().message;
    clock::SystemClock clock;
    mysql::MysqlStore store(*db, clock);
    ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 7, 10}));
    ASSERT_TRUE(run(**db, "DROP TABLE outbox"));
    ASSERT_TRUE(run(**db, "DELETE FROM schema_migrations WHERE version = 1"));
  }
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ((*db)->schema_version(), kLatest);
  EXPECT_EQ(query_int(**db, "SELECT COUNT(*) FROM outbox"), 0) << "the missing table is back";
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  EXPECT_EQ(store.get_product("CP-1")->stock, 7) << "and the rows already there are kept";
}

TEST(MysqlMigrations, ANewerWarehouseIsRefused) {
  const auto options = fresh_database();
  {
    auto db = mysql::Database::open(options);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(run(**db, "INSERT INTO schema_migrations (version, name) VALUES (" +
                              std::to_string(kLatest + 1) + ", 'from_a_newer_donut.sql')"));
  }
  auto db = mysql::Database::open(options);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(db.error().message.find("newer"), std::string::npos) << db.error().message;
}

TEST(MysqlUrl, Parses) {
  auto s = mysql::Database::parse_url("mysql://donut:s3cret@db.internal:3307/warehouse");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, "donut");
  EXPECT_EQ(s->password, "s3cret");
  EXPECT_EQ(s->host, "db.internal");
  EXPECT_EQ(s->port, 3307u);
  EXPECT_EQ(s->database, "warehouse");
  EXPECT_FALSE(mysql::Database::parse_url("postgres://x/y"));
}

}  // namespace
}  // namespace donut
