// A rotated database password on a real MariaDB server with its grant tables enforced (this
// binary has a server of its own: FLUSH PRIVILEGES turns on the grants the test servers start
// without). RDS rotates a managed master secret by itself; a warm process must read the secret
// again when the server refuses the old password, and its next call must succeed.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/mysql_store.h"
#include "common/ids.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::MariaDbServer;

const bool kServer = testing::use_server<testing::MariaDbServer>();

// The test server's root, on no database.
mysql::Connection::Settings root_settings() {
  mysql::Connection::Settings root;
  root.port = MariaDbServer::port;
  root.database.clear();
  return root;
}

TEST(MysqlCredentials, ARotatedPasswordIsReadAgainAndTheNextCallSucceeds) {
  auto admin = mysql::Connection::open(root_settings());
  ASSERT_TRUE(admin) << admin.error().message;
  const std::string database = "donut_" + random_hex(6);
  ASSERT_TRUE((*admin)->query("FLUSH PRIVILEGES"));  // passwords are checked from now on
  ASSERT_TRUE((*admin)->query("CREATE DATABASE " + database));
  ASSERT_TRUE((*admin)->query("CREATE USER 'rotated'@'%' IDENTIFIED BY 'first-password'"));
  ASSERT_TRUE((*admin)->query("GRANT ALL ON " + database + ".* TO 'rotated'@'%'"));

  std::string secret = "first-password";  // what the secret store holds
  int reads = 0;
  mysql::Database::Options options;
  options.settings.port = MariaDbServer::port;
  options.settings.user = "rotated";
  options.settings.password = secret;
  options.settings.database = database;
  options.pool_size = 1;
  options.refresh_credentials = [&](mysql::Connection::Settings& s) {
    ++reads;
    s.password = secret;
    return ok();
  };
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 10, 5}));
  EXPECT_EQ(reads, 0);

  // The rotation: a new password on the server and in the secret; the warm connection goes
  // away (as at a restart or after wait_timeout), so the next call needs a new one.
  ASSERT_TRUE((*admin)->query("ALTER USER 'rotated'@'%' IDENTIFIED BY 'second-password'"));
  secret = "second-password";
  ASSERT_TRUE((*admin)->query("KILL CONNECTION USER 'rotated'"));

  auto product = store.set_stock("CP-1", 7);
  ASSERT_TRUE(product) << product.error().message;
  EXPECT_EQ(product->stock, 7);
  EXPECT_EQ(reads, 1) << "the secret is read again once";
  EXPECT_EQ(store.get_product("CP-1")->stock, 7) << "and kept for the next connections";

  // Credentials that stay wrong are an error of their own, not an outage.
  secret = "not-the-password";
  ASSERT_TRUE((*admin)->query("ALTER USER 'rotated'@'%' IDENTIFIED BY 'third-password'"));
  ASSERT_TRUE((*admin)->query("KILL CONNECTION USER 'rotated'"));
  auto refused = store.set_stock("CP-1", 8);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::unauthorized) << refused.error().message;
}

// MySQL closes a session idle for wait_timeout (RDS's parameter group sets 5 minutes, so a frozen
// or replaced Lambda environment does not hold its connections for MySQL's default 8 hours). A
// pooled connection idle that long is then dead: the pool replaces it rather than failing the
// next read on it.
TEST(MysqlSessions, AConnectionTheServerClosedForIdlenessIsReplacedNotUsed) {
  auto admin = mysql::Connection::open(root_settings());
  ASSERT_TRUE(admin) << admin.error().message;
  const std::string database = "donut_" + random_hex(6);
  ASSERT_TRUE((*admin)->query("CREATE DATABASE " + database));
  ASSERT_TRUE((*admin)->query("CREATE USER 'idle'@'%' IDENTIFIED BY 'idle-password'"));
  ASSERT_TRUE((*admin)->query("GRANT ALL ON " + database + ".* TO 'idle'@'%'"));
  ASSERT_TRUE((*admin)->query("SET GLOBAL wait_timeout = 1"));
  struct RestoreWaitTimeout {
    mysql::Connection& admin;
    ~RestoreWaitTimeout() { (void)admin.query("SET GLOBAL wait_timeout = 28800"); }
  } restore{**admin};

  mysql::Database::Options options;
  options.settings = root_settings();
  options.settings.user = "idle";
  options.settings.password = "idle-password";
  options.settings.database = database;
  options.pool_size = 1;
  options.max_idle = std::chrono::milliseconds(500);  // under the server's 1 s
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  clock::SystemClock clock;
  mysql::MysqlStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 10, 5}));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the server closed the session
  auto product = store.get_product("CP-1");  // a read: no transaction to retry it
  ASSERT_TRUE(product) << product.error().message;
  EXPECT_EQ(product->stock, 10);
}

}  // namespace
}  // namespace donut
