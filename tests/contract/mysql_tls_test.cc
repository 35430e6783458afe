// MySQL over TLS on a real MariaDB server whose certificate comes from a private CA (this binary
// starts a server of its own with TLS on, as RDS offers it). With `tls_ca` set the connection is
// TLS only and the server must prove who it is: a server the CA did not certify, or one that
// offers no TLS, is refused rather than used in the clear.
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "adapters/mysql/database.h"
#include "common/ids.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"
#include "support/tls_server.h"

namespace donut {
namespace {

using testing::MariaDbServer;

// Made before the server starts (static initialisation runs before the test environment's
// SetUp), so the server is started with a certificate from `ca.pem`.
testing::TempDir* const kCa = [] {
  auto* dir = new testing::TempDir();
  std::filesystem::create_directory(dir->file("other"));
  if (testing::make_private_ca(dir->path().string()) &&
      testing::make_private_ca(dir->file("other"))) {
    ::setenv("DONUT_MARIADB_TLS_DIR", dir->path().c_str(), 1);
  }
  return dir;
}();
const bool kServer = testing::use_server<testing::MariaDbServer>();

mysql::Connection::Settings settings(const std::string& ca) {
  mysql::Connection::Settings s;
  s.port = MariaDbServer::port;
  s.database.clear();
  s.tls_ca = ca;
  return s;
}

std::string status_value(mysql::Connection& connection, const std::string& name) {
  auto statement = connection.prepare("SHOW SESSION STATUS LIKE '" + name + "'");
  if (!statement) return "error: " + statement.error().message;
  auto row = statement->next();
  return row && *row ? statement->column_text(1) : std::string();
}

TEST(MysqlTls, WithTheCaTheConnectionIsEncryptedAndVerified) {
  auto connection = mysql::Connection::open(settings(kCa->file("ca.pem")));
  ASSERT_TRUE(connection) << connection.error().message;
  EXPECT_NE(status_value(**connection, "Ssl_cipher"), "") << "the session is not encrypted";
  EXPECT_NE(status_value(**connection, "Ssl_version"), "");
}

TEST(MysqlTls, AServerTheCaDidNotCertifyIsRefused) {
  auto connection = mysql::Connection::open(settings(kCa->file("other/ca.pem")));
  ASSERT_FALSE(connection) << "connected to a server whose certificate no trusted CA signed";
  EXPECT_EQ(connection.error().code, ErrorCode::unavailable);
  EXPECT_NE(connection.error().message.find("cannot connect to MySQL"), std::string::npos)
      << connection.error().message;
}

TEST(MysqlTls, TheUrlCarriesTheCaAndRejectsUnknownParameters) {
  auto parsed = mysql::Database::parse_url(
      "mysql://u:p@db.internal:3306/donut?ssl-ca=%2Fvar%2Ftask%2Frds.pem");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->tls_ca, "/var/task/rds.pem");
  EXPECT_EQ(parsed->database, "donut");
  auto unknown = mysql::Database::parse_url("mysql://u:p@h/donut?sslmode=off");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("sslmode"), std::string::npos);
}

// A TLS connection the server closes (restart, KILL, wait_timeout, a rotation's clean-up) must
// read as a lost connection, as it does over plain TCP: the pool drops it and the next call
// reconnects instead of answering 500.
TEST(MysqlTls, AClosedTlsConnectionIsLostAndThePoolReconnects) {
  mysql::Database::Options options;
  options.settings = settings(kCa->file("ca.pem"));
  options.settings.database = "donut_tls_" + random_hex(4);
  options.pool_size = 1;
  auto db = mysql::Database::open(options);
  ASSERT_TRUE(db) << db.error().message;
  const std::function<Result<int64_t>(mysql::Connection&)> connection_id =
      [](mysql::Connection& c) -> Result<int64_t> {
    DONUT_ASSIGN_OR_RETURN(auto statement, c.prepare("SELECT CONNECTION_ID()"));
    DONUT_ASSIGN_OR_RETURN(bool row, statement.next());
    return row ? statement.column_int(0) : -1;
  };
  auto first = (*db)->transaction(connection_id);
  ASSERT_TRUE(first) << first.error().message;
  auto admin = mysql::Connection::open(settings(kCa->file("ca.pem")));
  ASSERT_TRUE(admin) << admin.error().message;
  ASSERT_TRUE((*admin)->query("KILL CONNECTION " + std::to_string(*first)));

  // The pooled connection is dead; nothing ran on it yet, so the transaction is retried once
  // on a new connection, as over plain TCP.
  auto second = (*db)->transaction(connection_id);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*second, *first);
}

// What RDS's require_secure_transport (deploy/aws/database.tf) does to a client without TLS. The
// grant tables are turned on first (the test servers start without them, and a server that
// checks no account checks no transport either).
TEST(MysqlTls, AServerRequiringTlsRefusesAPlainClient) {
  auto admin = mysql::Connection::open(settings(kCa->file("ca.pem")));
  ASSERT_TRUE(admin) << admin.error().message;
  ASSERT_TRUE((*admin)->query("FLUSH PRIVILEGES"));
  ASSERT_TRUE((*admin)->query("CREATE USER IF NOT EXISTS 'shop'@'%' IDENTIFIED BY 'tls-password'"));
  ASSERT_TRUE((*admin)->query("SET GLOBAL require_secure_transport = ON"));
  auto as_shop = [](mysql::Connection::Settings s) {
    s.user = "shop";
    s.password = "tls-password";
    return mysql::Connection::open(s);
  };
  auto refused = as_shop(settings(""));
  auto accepted = as_shop(settings(kCa->file("ca.pem")));
  ASSERT_TRUE((*admin)->query("SET GLOBAL require_secure_transport = OFF"));
  EXPECT_TRUE(accepted) << accepted.error().message;
  EXPECT_FALSE(refused) << "the server accepted a client without TLS";
}

}  // namespace
}  // namespace donut
