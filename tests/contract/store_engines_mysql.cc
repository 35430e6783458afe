// The store contract on MySQL/MariaDB: a real server started for this test binary by
// scripts/test-server on a free port of 127.0.0.1, one fresh database per test.
#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/mysql/database.h"
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
