// Wiring of the store port: the warehouse's settings turned into a Store. The engine is chosen
// by the URL's scheme from a small table (store.cc): mysql:// is MySQL/MariaDB, anything else a
// SQLite file. Each engine's opener is a function of its own (mysql_store.cc, sqlite_store.cc).
// The local host links both (donut_wiring_store); the Lambda functions, which run on RDS only,
// link MySQL alone (donut_wiring_store_mysql_only: sqlite_store_left_out.cc refuses a file), so
// their zips carry no SQLite. A build without MariaDB Connector/C compiles
// mysql_store_left_out.cc instead, whose opener says so.
// Errors: a malformed URL is `invalid_argument`; a server that cannot be reached `unavailable`.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/error.h"
#include "common/time.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::wiring {

struct StoreSettings {
  // A SQLite file, or mysql://user:password@host:port/database[?ssl-ca=<CA file>] (with
  // ssl-ca: TLS only, the server's certificate verified).
  std::string database;
  int mysql_pool_size = 8;   // connections to MySQL per process
  Millis mysql_max_idle{0};  // a pooled connection idle longer is replaced (0: never)
  // Apply missing migrations when opening (MySQL). False for a role's own user, which may not
  // (adapters/mysql/role_users.h): the schema must then be current.
  bool migrate = true;

  bool is_mysql() const;
};

struct OpenedStore {
  std::unique_ptr<ports::Store> store;
  int schema_version = 0;
};

// For MySQL: reads the user and password again when the server refuses them (a rotated secret).
using CredentialsReader = std::function<Status(std::string& user, std::string& password)>;

Result<OpenedStore> open_store(const StoreSettings& settings, const ports::Clock& clock,
                               CredentialsReader credentials = {});
// On a build without MySQL (DONUT_WITH_MYSQL off), `invalid_argument` saying so.
Result<OpenedStore> open_mysql_store(const StoreSettings& settings, const ports::Clock& clock,
                                     CredentialsReader credentials = {});
Result<OpenedStore> open_sqlite_store(const StoreSettings& settings, const ports::Clock& clock,
                                      CredentialsReader credentials = {});

// The warehouse's location for humans: a MySQL URL without its password.
std::string describe_store(const StoreSettings& settings);
std::string describe_mysql_store(const StoreSettings& settings);

}  // namespace donut::wiring
