// The local host: wires the adapters its configuration names (wiring/: SQLite or MySQL store,
// embedded, RabbitMQ or SNS+SQS broker, file, SMTP or SES mailer; the HTTP factory client) to
// the application services and HTTP routes, for any set of roles in one process. `donut up` runs
// every role; `donut sales`, `restock`, ... run one each, and several such processes can share one
// data folder (SQLite in WAL mode, see adapters/sqlite/database.h).
//
// Start order: store and broker (schema and queues declared), the sales / arrivals server (so
// its address, the callback URL, is known), the factory simulator (which calls back only that
// URL), then the workers that need those addresses. Stop order is the reverse
// and nothing accepted is dropped: the sales server stops accepting, the order writer commits
// and answers what it holds, consumers finish their batch (unfinished messages come back after
// their visibility timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/http_factory_client.h"
#include "app/pruner.h"
#include "app/restock_handler.h"
#include "app/topology.h"
#include "common/error.h"
#include "domain/product.h"
#include "hosts/local/data_dir.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/mailer.h"
#include "ports/store.h"
#include "wiring/broker.h"
#include "wiring/mail.h"
#include "wiring/store.h"

namespace donut::factory {
class FactorySimulator;
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
  // Whether any role needs the warehouse and the broker: the factory simulator alone does not,
  // and a process that runs only it opens neither (nor holds their credentials).
  bool use_engines() const { return sales || arrivals || restock || notifier || relay; }
};

// The sales / arrivals HTTP server and what its routes need.
struct HttpSettings {
  std::string host = "127.0.0.1";  // where every server of the process listens
  uint16_t port = 8080;            // sales and/or arrivals; 0 picks a free port
  int threads = 2;
  std::size_t body_limit = 16 * 1024;
  double rate_limit = 0;            // requests/s per client address on the sales server; 0: off
  std::size_t max_connections = 0;  // open connections at once; 0: from the open-files limit
  std::string public_url;           // where the factory calls back; default http://<host>:<port>
  std::string callback_secret;      // default: <data_dir>/callback-secret (created once)
  std::string admin_token;          // default: <data_dir>/admin-token (created once)
  // Files to read them from instead (their first line), when the value is not given.
  std::string callback_secret_file;
  std::string admin_token_file;
  // Who may GET /metrics: "open" (any scraper; the default), "token" (the admin token) or
  // "probe" (any scraper on the probe listener, --health-port; the admin token on the others).
  std::string metrics_access = "open";
};

// The Legacy Factory the restock worker calls, and the simulator that stands in for it.
struct FactorySettings {
  std::string url;  // default http://<simulator_host>:<simulator_port>
  int64_t timeout_ms = http_client::HttpFactoryClient::Options{}.timeout.count();
  std::string id = app::RestockHandler::Options{}.factory_id;  // MessageAttributeFactoryId
  // The simulator listens on loopback whatever the shop's --host, unless told otherwise.
  std::string simulator_host = "127.0.0.1";
  uint16_t simulator_port = 8081;  // 0 picks a free port
  // The only URL the simulator calls back; default <public_url>/v1/stock-arrivals.
  std::string callback_url;
  int64_t delay_ms = 2'000;
  double failure_rate = 0.0;
  int64_t response_delay_ms = 0;
};

// Every setting of the local host, by concern; the wiring settings come with their defaults
// (wiring/*.h), the data folder fills in the paths they leave empty.
struct LocalConfig {
  Roles roles;
  std::string data_dir = ".donut";
  wiring::StoreSettings store;    // store.database empty: <data_dir>/warehouse.db
  wiring::BrokerSettings broker;  // embedded: the warehouse's file, or <data_dir>/broker.db
  wiring::MailSettings mail;      // mail.dir empty: <data_dir>/mail

  HttpSettings http;

  // Sales
  std::string order_strategy = "group";  // group | per-request
  int64_t max_quantity = 1000;

  // Queues and workers
  int64_t visibility_timeout_ms = ports::kDefaultVisibilityTimeout.count();
  int max_receive_count = ports::kDefaultMaxReceiveCount;
  int restock_workers = 2;
  int64_t restock_lease_ms = 120'000;
  int64_t retry_base_ms = 1'000;
  int64_t retry_cap_ms = 60'000;
  int64_t relay_interval_ms = 500;
  // How long the relay's claims on outbox entries hold if its process dies (the local brokers
  // publish a batch in well under it).
  int64_t outbox_lease_ms = 2'000;
  int64_t dlq_check_interval_ms = 5'000;
  // Retention (app/pruner.h): pruned by the relay's process, a pass every prune interval.
  app::RetentionWindows retention;
  int64_t prune_interval_ms = 60'000;

  FactorySettings factory;

  // The probe listener (api/health_routes.h): -1 none, 0 a free port. A background loop silent
  // for longer than the stall limit makes /healthz fail.
  int health_port = -1;
  int64_t stall_limit_ms = 180'000;

  // Catalogue
  bool seed = true;
  std::string seed_file;  // JSON {"products":[...]}; empty: the built-in catalogue

  // The wiring settings with the data folder's defaults filled in.
  wiring::StoreSettings store_settings() const;
  wiring::BrokerSettings broker_settings() const;
  wiring::MailSettings mail_settings() const;
  app::TopologySettings topology_settings() const;
};

class LocalSystem {
 public:
  static Result<std::unique_ptr<LocalSystem>> start(LocalConfig config);
  ~LocalSystem();
  void stop();

  const LocalConfig& config() const;
  std::string url() const;               // the sales/arrivals server, empty if none
  std::string factory_url() const;       // the simulator, empty if not running here
  std::string health_url() const;        // the probe listener, empty if none
  ports::Store& store();                 // only when config().roles.use_engines()
  ports::Broker& broker();               // the same
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
