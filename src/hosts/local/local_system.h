// The local host: wires the embedded adapters (SQLite store and broker, file mailer, HTTP
// factory client) to the application services and HTTP routes, for any set of roles in one
// process. `donut up` runs every role; `donut sales`, `restock`, ... run one each, and
// several such processes can share one data folder (SQLite in WAL mode, see
// adapters/sqlite/database.h).
//
// Start order: store and broker (schema and queues declared), the HTTP servers (so their
// ports are known), then the workers that need those addresses. Stop order is the reverse
// and nothing accepted is dropped: the sales server stops accepting, the order writer commits
// and answers what it holds, consumers finish their batch (unfinished messages come back after
// their visibility timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "domain/product.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/mailer.h"
#include "ports/store.h"

namespace donut::factory {
class FactorySimulator;
}
namespace donut::sqlite {
class Database;
}
namespace donut::mysql {
class Database;
}

namespace donut::local {

struct Roles {
  bool sales = false;     // Sales API + admin + ops routes
  bool arrivals = false;  // callback intake route + arrival worker
  bool restock = false;   // factory-requests worker
  bool notifier = false;  // notifications worker + dead-letter monitor
  bool relay = false;     // outbox -> broker
  bool factory = false;   // the Legacy Factory simulator
  static Roles all() { return {true, true, true, true, true, true}; }
};

struct LocalConfig {
  Roles roles;
  std::string data_dir = ".donut";
  // SQLite file (default <data_dir>/warehouse.db) or mysql://user:password@host:port/database.
  std::string database;
  int mysql_pool_size = 8;
  // The queues: "embedded" (SQLite, the default), amqp://user:password@host:port/vhost, or
  // "aws" (SNS + SQS; credentials, region and endpoint from the AWS_* environment variables).
  std::string broker;
  std::string aws_prefix = "donut-";  // AWS resource names: <prefix>factory-requests, ...
  std::string host = "127.0.0.1";
  uint16_t port = 8080;          // sales and/or arrivals HTTP server; 0 picks a free port
  uint16_t factory_port = 8081;  // the simulator's server; 0 picks a free port
  int http_threads = 2;
  std::size_t body_limit = 16 * 1024;
  double rate_limit = 0;        // requests/s per client address on the sales server; 0: off
  std::string public_url;       // where the factory calls back; default http://<host>:<port>
  std::string factory_url;      // default http://<host>:<factory_port>
  std::string callback_secret;  // default: <data_dir>/callback-secret (created once)
  std::string admin_token;      // default: <data_dir>/admin-token (created once)

  std::string order_strategy = "group";  // group | per-request
  int64_t max_quantity = 1000;

  int64_t visibility_timeout_ms = 30'000;
  int max_receive_count = 5;
  int restock_workers = 2;
  int64_t restock_lease_ms = 120'000;
  int64_t factory_timeout_ms = 10'000;
  int64_t retry_base_ms = 1'000;
  int64_t retry_cap_ms = 60'000;
  int64_t relay_interval_ms = 500;
  int64_t dlq_check_interval_ms = 5'000;

  int64_t factory_delay_ms = 2'000;
  double factory_failure_rate = 0.0;
  int64_t factory_response_delay_ms = 0;

  std::string mailer = "file";  // "file" (.eml files in mail_dir), "smtp" or "ses" (Amazon SES v2)
  std::string mail_dir;         // default: <data_dir>/mail
  std::string smtp_url = "smtp://127.0.0.1:25";
  std::string smtp_tls = "starttls";  // starttls | none (smtp:// only; smtps:// is always TLS)
  std::string smtp_user;              // empty: no AUTH
  std::string smtp_password;          // from DONUT_SMTP_PASSWORD only, never a flag
  std::string smtp_ca_file;           // PEM bundle to trust instead of the system's
  std::string mail_from = "donut-states@localhost";
  std::string mail_to = "warehouse@localhost";

  bool seed = true;
  std::string seed_file;  // JSON {"products":[...]}; empty: the built-in catalogue
  std::string factory_id = "FF-500293";

  std::string database_path() const;
  std::string broker_path() const;  // the embedded broker's file
  std::string mail_path() const;
};

bool is_mysql_url(std::string_view database);
// The warehouse's location for humans: a MySQL URL without its password.
std::string describe_database(const LocalConfig& config);
// Where notifications go, for humans.
std::string describe_mail(const LocalConfig& config);

// The warehouse named by `config.database`, opened and migrated: SQLite or MySQL/MariaDB.
struct OpenedStore {
  std::shared_ptr<sqlite::Database> sqlite;
  std::shared_ptr<mysql::Database> mysql;
  std::unique_ptr<ports::Store> store;
  int schema_version = 0;
};
// `credentials`: for MySQL, reads the user and password again when the server refuses them (a
// rotated secret; mysql::Database::Options::refresh_credentials).
using CredentialsReader = std::function<Status(std::string& user, std::string& password)>;
Result<OpenedStore> open_store(const LocalConfig& config, const ports::Clock& clock,
                               CredentialsReader credentials = {});

// The mailer named by `config.mailer`.
Result<std::unique_ptr<ports::Mailer>> open_mailer(const LocalConfig& config,
                                                   const ports::Clock& clock);

// The broker named by `config.broker`. The embedded one reuses `embedded` (the warehouse's
// SQLite database) or opens <data_dir>/broker.db into it.
Result<std::unique_ptr<ports::Broker>> open_broker(const LocalConfig& config,
                                                   const ports::Clock& clock,
                                                   std::shared_ptr<sqlite::Database>& embedded);

// The built-in catalogue `donut up` starts with.
std::vector<domain::ProductSpec> default_catalogue();
Result<std::vector<domain::ProductSpec>> load_catalogue(const std::string& path);

// Reads `<data_dir>/<name>`, creating it with a random value (mode 0600) the first time.
Result<std::string> read_or_create_secret(const std::string& data_dir, const std::string& name);

class LocalSystem {
 public:
  static Result<std::unique_ptr<LocalSystem>> start(LocalConfig config);
  ~LocalSystem();
  void stop();

  const LocalConfig& config() const;
  std::string url() const;          // the sales/arrivals server, empty if none
  std::string factory_url() const;  // the simulator, empty if not running here
  ports::Store& store();
  ports::Broker& broker();
  factory::FactorySimulator* factory();  // null when the factory role is off
  void wake_relay();                     // publish pending events now (tests)
  // What this process's restock workers did so far (zeros when the role is off).
  struct RestockCounters {
    uint64_t factory_calls = 0, busy = 0, duplicates = 0;
  };
  RestockCounters restock_counters() const;

 private:
  struct Parts;
  explicit LocalSystem(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace donut::local
