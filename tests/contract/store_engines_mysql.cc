// The store contract and the schema migrations on MySQL/MariaDB: a real server started for this
// test binary by scripts/test-server on a free port of 127.0.0.1, one fresh database per test.
#include <arpa/inet.h>
#include <atomic>
#include <cstdlib>
#include <netinet/in.h>
#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "adapters/clock/clocks.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/migrations.h"
#include "adapters/mysql/mysql_store.h"
#include "app/order_service.h"
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
// its changes behind without its version recorded; the next start completes it.
TEST(MysqlMigrations, AScriptThatStoppedHalfWayCompletesOnTheNextStart) {
  const auto options = fresh_database();
  {
    auto db = mysql::Database::open(options);
    ASSERT_TRUE(db) << db.error().message;
    clock::SystemClock clock;
    mysql::MysqlStore store(*db, clock);
    ASSERT_TRUE(store.upsert_product(
        {"CP-1", "Glazed", 250, 7, 10, {domain::ReplenishmentPolicy::reorder_point, 40, 9900}}));
    // Script 4 gave products their columns, then stopped before product_sales had its own: the
    // versions from 4 on unrecorded, and script 5 (whose index is already dropped) runs again
    // after it.
    ASSERT_TRUE(run(**db, "ALTER TABLE product_sales DROP COLUMN refused_orders"));
    // And the retention script's last index gone: the rerun makes it again, and passes over the
    // indexes that are still there.
    ASSERT_TRUE(run(**db, "DROP INDEX arrivals_by_time ON arrivals"));
    ASSERT_TRUE(run(**db, "DELETE FROM schema_migrations WHERE version >= 4"));
  }
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ((*db)->schema_version(), kLatest);
  EXPECT_EQ(query_int(**db, "SELECT COUNT(refused_orders) FROM product_sales"), 1)
      << "the missing column is back";
  EXPECT_EQ(query_int(**db,
                      "SELECT COUNT(*) FROM information_schema.statistics WHERE "
                      "table_schema = DATABASE() AND table_name = 'orders' AND "
                      "index_name = 'orders_by_product'"),
            0)
      << "and the index by product stays dropped";
  EXPECT_EQ(query_int(**db,
                      "SELECT COUNT(*) FROM information_schema.statistics WHERE "
                      "table_schema = DATABASE() AND index_name = 'arrivals_by_time'"),
            1)
      << "the missing index is back";
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  const auto kept = store.get_product("CP-1");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->stock, 7) << "and the rows already there are kept";
  EXPECT_EQ(kept->replenishment.settings.max_restock_quantity, 40) << "with their new columns";
}

// A warehouse with history, from before the running totals: the migration computes them from the
// rows, so its figures are the ones the old aggregate queries gave; run again, it changes nothing.
TEST(MysqlMigrations, TheRunningTotalsStartFromTheHistory) {
  const auto options = fresh_database();
  std::string expected;
  {
    auto db = mysql::Database::open(options);
    ASSERT_TRUE(db) << db.error().message;
    clock::ManualClock clock;
    mysql::MysqlStore store(*db, clock);
    ASSERT_NO_FATAL_FAILURE(live_some_history(store, clock));
    expected = stats_figures(store);
    ASSERT_TRUE(run(**db, "DROP TABLE warehouse_totals"));
    ASSERT_TRUE(run(**db, "DELETE FROM schema_migrations WHERE version >= 7"));
  }
  for (int reruns = 0; reruns < 2; ++reruns) {
    auto db = mysql::Database::open(options);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ((*db)->schema_version(), kLatest);
    clock::ManualClock clock;
    mysql::MysqlStore store(*db, clock);
    EXPECT_EQ(stats_figures(store), expected);
    ASSERT_TRUE(run(**db, "DELETE FROM schema_migrations WHERE version >= 7"));
  }
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

// A TCP proxy in front of MariaDB that, once armed, lets the next COMMIT through and then cuts
// the connection instead of passing the server's answer back: the commit happened, the client
// cannot know. Blocking sockets, one thread per direction; for this test only.
class CommitCutter {
 public:
  explicit CommitCutter(uint16_t server_port) : server_port_(server_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 8);
    socklen_t size = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~CommitCutter() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (auto& t : pumps_) t.join();
  }
  uint16_t port() const { return port_; }
  void arm() { armed_ = true; }
  bool cut() const { return cutting_; }

 private:
  void accept_loop() {
    for (;;) {
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      const int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(server_port_);
      ::connect(server, reinterpret_cast<sockaddr*>(&address), sizeof address);
      pumps_.emplace_back([this, client, server] { pump(client, server, true); });
      pumps_.emplace_back([this, client, server] { pump(server, client, false); });
    }
  }
  void pump(int from, int to, bool client_to_server) {
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::read(from, buffer, sizeof buffer);
      if (n <= 0) break;
      if (!client_to_server && cutting_.load()) break;  // the server's answer to the COMMIT
      // COM_QUERY (0x03) "COMMIT" after the 4-byte packet header: from now on the server's
      // answer (sent once it has committed) is dropped, so decide before passing it on.
      if (client_to_server && armed_ && !cutting_ && n >= 11 && buffer[4] == 0x03 &&
          std::string_view(buffer + 5, 6) == "COMMIT") {
        cutting_ = true;
      }
      if (::write(to, buffer, static_cast<size_t>(n)) != n) break;
    }
    ::shutdown(from, SHUT_RDWR);
    ::shutdown(to, SHUT_RDWR);
  }

  uint16_t server_port_;
  uint16_t port_ = 0;
  int listener_ = -1;
  std::atomic<bool> armed_{false}, cutting_{false};
  std::thread acceptor_;
  std::vector<std::thread> pumps_;
};

// A connection lost during COMMIT is "outcome unknown" (`timeout`, answered 504), never
// "unavailable" (503, "nothing changed") and never retried: here the order was in fact sold,
// once.
TEST(MysqlCommit, AConnectionLostDuringCommitIsOutcomeUnknownAndNotRetried) {
  CommitCutter cutter(static_cast<uint16_t>(MariaDbServer::port));
  auto options = fresh_database();
  auto direct = mysql::Database::open(options);
  ASSERT_TRUE(direct) << direct.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore checker(*direct, clock);
  ASSERT_TRUE(checker.upsert_product({"CP-1", "Glazed", 250, 5, 0}));

  options.settings.port = cutter.port();
  options.pool_size = 1;
  auto proxied = mysql::Database::open(options);
  ASSERT_TRUE(proxied) << proxied.error().message;
  mysql::MysqlStore store(*proxied, clock);
  ASSERT_EQ(store.get_product("CP-1")->stock, 5);

  cutter.arm();
  std::vector<domain::OrderRequest> order{{new_id(), "CP-1", 1, ""}};
  auto outcome = store.place_orders(order);
  ASSERT_TRUE(cutter.cut()) << "the proxy saw the COMMIT";
  ASSERT_FALSE(outcome) << "the answer to the COMMIT never arrived";
  EXPECT_EQ(outcome.error().code, ErrorCode::timeout) << outcome.error().message;
  EXPECT_EQ(checker.get_product("CP-1")->stock, 4) << "committed once, not retried";
  EXPECT_TRUE(checker.get_order(order[0].order_id)) << "the order is in the warehouse";
}

// INSERT IGNORE would have turned this into a warning and stored a cut-short factory id, adding
// the stock: only a repeated request id may be passed over.
TEST(MysqlStrictness, AnArrivalThatDoesNotFitIsAnErrorNotACutShortRow) {
  auto db = mysql::Database::open(fresh_database());
  ASSERT_TRUE(db) << db.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 1, 5}));
  std::vector<domain::OrderRequest> last{{new_id(), "CP-1", 1, ""}};
  const std::string restock_id = store.place_orders(last)->front().restock_id;
  ASSERT_FALSE(restock_id.empty());
  domain::Arrival arrival{"req-1", restock_id, "CP-1", 5, std::string(300, 'f'), clock.now()};
  auto refused = store.apply_arrival(arrival);
  ASSERT_FALSE(refused) << "a 300-character factory id does not fit VARCHAR(255)";
  EXPECT_EQ(store.get_product("CP-1")->stock, 0);
  EXPECT_EQ(query_int(**db, "SELECT COUNT(*) FROM arrivals"), 0);
  arrival.restock_id = "no-such-restock";
  ASSERT_FALSE(store.apply_arrival(arrival)) << "nor when it is held";
  EXPECT_EQ(query_int(**db, "SELECT COUNT(*) FROM held_arrivals"), 0);
  arrival.restock_id = restock_id;

  arrival.factory_id = "FF-1";
  ASSERT_EQ(store.apply_arrival(arrival)->status, domain::ArrivalStatus::applied);
  ASSERT_EQ(store.apply_arrival(arrival)->status, domain::ArrivalStatus::duplicate)
      << "the duplicate key is the one case passed over";
  EXPECT_EQ(store.get_product("CP-1")->stock, 5);
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed again", 250, 0, 0}))
      << "the sales totals' row exists already: passed over too";
}

// A statement the server fails after sending its result's header (here a subquery of more than
// one row) stays in the connection's cache: its next execution must answer, not wait for the
// rows of the failed one until the read timeout and lose the connection.
TEST(MysqlStatements, AStatementThatFailedMidResultRunsAgainFromTheCache) {
  auto db = mysql::Database::open(fresh_database());
  ASSERT_TRUE(db) << db.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 1, 5}));
  ASSERT_TRUE(store.upsert_product({"CP-2", "Maple", 250, 1, 5}));
  const std::string_view sql = "SELECT (SELECT id FROM products WHERE stock >= ?) FROM products";
  auto again = (*db)->with_connection([&](mysql::Connection& c) -> Result<bool> {
    DONUT_ASSIGN_OR_RETURN(auto failing, c.prepare(sql));
    failing.bind(int64_t{0});
    auto refused = failing.next();
    EXPECT_FALSE(refused) << "two products: the subquery returns more than one row";
    failing.reset();
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
    s.bind(int64_t{1'000'000'000});
    return s.next();
  });
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*again);
}

// A database made before donut first runs (the image's MARIADB_DATABASE, RDS's db_name) has the
// server's collation, which compares case-insensitively; the tables take it. An id that differs
// from a product's only in case is still another product: two of them in one batch must not
// both sell the same unit, nor name a series or a restock of their own.
TEST(MysqlStrictness, AnIdDifferingOnlyInCaseIsNoProductInACaseInsensitiveDatabase) {
  mysql::Connection::Settings root;
  root.port = MariaDbServer::port;
  root.database.clear();
  auto admin = mysql::Connection::open(root);
  ASSERT_TRUE(admin) << admin.error().message;
  auto options = fresh_database();
  ASSERT_TRUE((*admin)->query("CREATE DATABASE " + options.settings.database +
                              " CHARACTER SET latin1 COLLATE latin1_swedish_ci"));
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"cp-a", "Glazed", 250, 1, 5}));

  const std::vector<domain::OrderRequest> batch{
      {new_id(), "cp-a", 1, ""}, {new_id(), "CP-A", 1, ""}, {new_id(), "Cp-A", 1, ""}};
  auto outcomes = store.place_orders(batch);
  ASSERT_TRUE(outcomes) << outcomes.error().message;
  ASSERT_EQ(outcomes->size(), 3u);
  EXPECT_EQ((*outcomes)[0].status, domain::OrderStatus::sold);
  EXPECT_EQ((*outcomes)[1].status, domain::OrderStatus::unknown_product);
  EXPECT_EQ((*outcomes)[2].status, domain::OrderStatus::unknown_product);
  EXPECT_EQ(query_int(**db, "SELECT COUNT(*) FROM orders"), 1) << "one unit, sold once";
  EXPECT_EQ(store.get_product("cp-a")->stock, 0);
}

// And the migrations make it compare ids byte for byte from then on: the database's default and
// every column of donut's tables are utf8mb4_bin, so `CP-A` and `cp-a` are two products and two
// keys that differ only in case are two orders.
TEST(MysqlStrictness, ADatabaseMadeCaseInsensitiveComparesIdsByteForByteOnceMigrated) {
  mysql::Connection::Settings root;
  root.port = MariaDbServer::port;
  root.database.clear();
  auto admin = mysql::Connection::open(root);
  ASSERT_TRUE(admin) << admin.error().message;
  auto options = fresh_database();
  ASSERT_TRUE((*admin)->query("CREATE DATABASE " + options.settings.database +
                              " CHARACTER SET latin1 COLLATE latin1_swedish_ci"));
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  EXPECT_EQ(query_int(**db,
                      "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = "
                      "DATABASE() AND collation_name IS NOT NULL AND collation_name <> "
                      "'utf8mb4_bin'"),
            0)
      << "every text column compares bytes";
  EXPECT_EQ(query_int(**db,
                      "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = "
                      "DATABASE() AND default_collation_name = 'utf8mb4_bin'"),
            1)
      << "and so will a table a later script makes";
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"CP-A", "Glazed", 250, 5, 5}));
  ASSERT_TRUE(store.upsert_product({"cp-a", "Plain", 200, 5, 5}));
  EXPECT_EQ(store.get_product("CP-A")->name, "Glazed");
  EXPECT_EQ(store.get_product("cp-a")->name, "Plain");
  std::vector<domain::OrderRequest> first{{new_id(), "CP-A", 1, "Alice-Key-1"}};
  std::vector<domain::OrderRequest> second{{new_id(), "CP-A", 1, "alice-key-1"}};
  ASSERT_TRUE(store.place_orders(first));
  auto outcome = store.place_orders(second);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_FALSE((*outcome)[0].replayed) << "a key differing in case is another order";
  EXPECT_EQ(store.get_product("CP-A")->stock, 3);
}

// Group commit on MySQL runs two writers taking turns (Store::pipelined_batches): the second
// batch's statements wait for the first's row lock, not for its fsync. Orders queued one after
// the other are still decided in that order, each sold exactly once, never below zero.
TEST(MysqlPipelinedSales, TwoWritersDecideAHotProductInTheOrderItWasQueued) {
  clock::SystemClock clock;
  auto db = mysql::Database::open(fresh_database());
  ASSERT_TRUE(db) << db.error().message;
  mysql::MysqlStore store(*db, clock);
  ASSERT_EQ(store.pipelined_batches(), 2u);
  constexpr int kStock = 1200, kOrders = 1500;
  ASSERT_TRUE(store.upsert_product({"HOT", "Hot", 100, kStock, 0}));
  std::vector<std::optional<domain::OrderOutcome>> outcomes(kOrders);
  {
    app::OrderService service(store, {app::OrderService::Strategy::group_commit, 8, {}, {}, 0});
    for (int i = 0; i < kOrders; ++i) {
      service.submit({new_id(), "HOT", 1, ""}, [&outcomes, i](Result<domain::OrderOutcome> o) {
        ASSERT_TRUE(o) << o.error().message;
        outcomes[i] = std::move(*o);
      });
    }
    service.stop();
    EXPECT_GE(service.counters().transactions, kOrders / 8u);
  }
  int64_t left = kStock;
  for (int i = 0; i < kOrders; ++i) {
    ASSERT_TRUE(outcomes[i]) << "order " << i << " was answered";
    const auto expected =
        i < kStock ? domain::OrderStatus::sold : domain::OrderStatus::out_of_stock;
    ASSERT_EQ(outcomes[i]->status, expected) << "order " << i;
    if (i < kStock) {
      ASSERT_EQ(outcomes[i]->stock_left, --left) << "order " << i;
    }
  }
  EXPECT_EQ(store.get_product("HOT")->stock, 0);
  EXPECT_EQ(query_int(**db, "SELECT COUNT(*) FROM orders"), kStock);
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
