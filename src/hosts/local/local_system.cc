#include "hosts/local/local_system.h"

#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/clock/clocks.h"
#include "adapters/http/http_factory_client.h"
#include "api/admin_routes.h"
#include "api/api_description.h"
#include "api/api_documents.h"
#include "api/arrival_routes.h"
#include "api/health_routes.h"
#include "api/ops_routes.h"
#include "api/sales_routes.h"
#include "api/shop_metrics.h"
#include "api/web_pages.h"
#include "app/arrivals.h"
#include "app/notifier.h"
#include "app/order_service.h"
#include "app/outbox_relay.h"
#include "app/queue_consumer.h"
#include "app/restock_handler.h"
#include "app/topology.h"
#include "common/assert.h"
#include "common/ids.h"
#include "common/private_files.h"
#include "factory/simulator.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "wiring/storage.h"

namespace donut::local {
namespace fs = std::filesystem;

namespace {
constexpr char kCallbackPath[] = "/v1/stock-arrivals";  // of the arrivals route
}  // namespace

wiring::StoreSettings LocalConfig::store_settings() const {
  wiring::StoreSettings s = store;
  if (s.database.empty()) s.database = (fs::path(data_dir) / "warehouse.db").string();
  return s;
}

wiring::BrokerSettings LocalConfig::broker_settings() const {
  wiring::BrokerSettings b = broker;
  b.embedded_file =
      store.is_mysql() ? (fs::path(data_dir) / "broker.db").string() : store_settings().database;
  return b;
}

app::TopologySettings LocalConfig::topology_settings() const {
  app::TopologySettings topology;
  topology.visibility_timeout = Millis(visibility_timeout_ms);
  topology.max_receive_count = max_receive_count;
  return topology;
}

wiring::MailSettings LocalConfig::mail_settings() const {
  wiring::MailSettings m = mail;
  if (m.dir.empty()) m.dir = (fs::path(data_dir) / "mail").string();
  // An SMTP exchange must end before the notification's message comes back to another worker.
  m.smtp_timeout_cap = std::min<Millis>(m.smtp_timeout_cap, Millis(visibility_timeout_ms / 2));
  return m;
}

namespace {

// A secret setting: the file named by its --*-file flag (a flag wins over the environment), else
// the value given (flag or environment, DONUT_<NAME>_FILE included), else `<data_dir>/<name>`
// (created once).
Status resolve_secret(std::string& value, const std::string& file, const std::string& data_dir,
                      const std::string& name) {
  if (!file.empty()) {
    DONUT_ASSIGN_OR_RETURN(value, read_secret_file(file));
    return ok();
  }
  if (!value.empty()) return ok();
  DONUT_ASSIGN_OR_RETURN(value, read_or_create_secret(data_dir, name));
  return ok();
}

}  // namespace

struct LocalSystem::Parts {
  LocalConfig config;
  clock::SystemClock clock;
  std::unique_ptr<ports::Store> store;
  std::unique_ptr<ports::Broker> broker;
  std::unique_ptr<http::HttpMetrics> metrics;
  std::unique_ptr<api::ShopMetrics> shop_metrics;
  std::unique_ptr<ports::Mailer> mailer;
  std::unique_ptr<http_client::HttpFactoryClient> factory_client;

  std::unique_ptr<factory::FactorySimulator> factory;
  std::unique_ptr<http::Router> factory_router;
  std::unique_ptr<http::Server> factory_server;

  std::unique_ptr<app::OutboxRelay> relay;
  std::unique_ptr<app::Pruner> pruner;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<app::OrderService> orders;  // after server: destroyed first
  std::unique_ptr<app::ArrivalIntake> intake;

  std::unique_ptr<app::RestockHandler> restock_handler;
  std::unique_ptr<app::ArrivalHandler> arrival_handler;
  std::unique_ptr<app::Notifier> notifier;
  std::vector<std::unique_ptr<app::QueueConsumer>> consumers;
  std::unique_ptr<app::DlqMonitor> dlq_monitor;
  std::unique_ptr<http::Router> health_router;
  std::unique_ptr<http::Server> health_server;
  bool stopped = false;

  void wake_relay() {
    if (relay) relay->notify();
  }
  Status open_data();  // secrets, store, broker and queues, catalogue, metrics, mailer
  Status start_factory();
  Status start_http(std::function<void()> wake);
  void add_sales(std::function<void()> wake);
  void add_restock_worker(std::function<void()> wake);
  void add_notifier();
  void consume(std::string_view queue, int workers, app::BatchHandler handler);
  Status start_health();
  Status alive() const;
  Status ready() const;
};

LocalSystem::LocalSystem(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LocalSystem::~LocalSystem() {
  stop();
}

// Each step wires one concern; `start` runs them in the order the header promises.
Status LocalSystem::Parts::open_data() {
  LocalConfig& c = config;
  DONUT_RETURN_IF_ERROR(create_private_directory(c.data_dir));
  if (others_may_enter(c.data_dir)) {
    spdlog::warn(
        "the data folder {} can be entered by other users; its secrets and orders are "
        "readable to them unless it is chmod 700",
        c.data_dir);
  }
  DONUT_RETURN_IF_ERROR(resolve_secret(c.http.callback_secret, c.http.callback_secret_file,
                                       c.data_dir, "callback-secret"));
  DONUT_RETURN_IF_ERROR(
      resolve_secret(c.http.admin_token, c.http.admin_token_file, c.data_dir, "admin-token"));
  metrics = std::make_unique<http::HttpMetrics>(std::make_shared<prometheus::Registry>());
  if (!c.roles.use_engines()) return ok();
  DONUT_ASSIGN_OR_RETURN(
      auto storage, wiring::open_storage(c.store_settings(), c.broker_settings(),
                                         app::pipeline_topology(c.topology_settings()), clock));
  store = std::move(storage.store);
  broker = std::move(storage.broker);
  if (c.seed) {
    std::vector<domain::ProductSpec> catalogue = default_catalogue();
    if (!c.seed_file.empty()) {
      DONUT_ASSIGN_OR_RETURN(catalogue, load_catalogue(c.seed_file));
    }
    for (const auto& spec : catalogue) DONUT_RETURN_IF_ERROR(store->upsert_product(spec));
  }
  shop_metrics =
      std::make_unique<api::ShopMetrics>(*metrics, *store, broker.get(), app::work_queues(), clock);
  DONUT_ASSIGN_OR_RETURN(mailer, wiring::open_mailer(c.mail_settings(), clock));
  return ok();
}

Status LocalSystem::Parts::start_factory() {
  const LocalConfig& c = config;
  factory::FactorySimulator::Options options;
  options.secret = c.http.callback_secret;
  options.admin_token = c.http.admin_token;
  options.callback_url = c.factory.callback_url;
  options.settings.manufacture_delay = Millis(c.factory.delay_ms);
  options.settings.failure_rate = c.factory.failure_rate;
  options.settings.response_delay = Millis(c.factory.response_delay_ms);
  factory = std::make_unique<factory::FactorySimulator>(clock, options);
  factory_router = std::make_unique<http::Router>();
  factory->add_routes(*factory_router);
  DONUT_RETURN_IF_ERROR(
      api::add_api_description_routes(*factory_router, api::factory_openapi_document(), {}));
  http::Server::Options server_options;
  server_options.host = c.factory.simulator_host;
  server_options.port = c.factory.simulator_port;
  server_options.threads = 1;
  server_options.server_name = "legacy-factory-simulator";
  factory_server = std::make_unique<http::Server>(server_options, factory_router->handler());
  return factory_server->start();
}

void LocalSystem::Parts::add_sales(std::function<void()> wake) {
  const LocalConfig& c = config;
  app::OrderService::Options options;
  options.strategy = c.order_strategy == "per-request" ? app::OrderService::Strategy::per_request
                                                       : app::OrderService::Strategy::group_commit;
  options.on_decided = [metrics = shop_metrics.get()](auto outcomes) {
    metrics->record_orders(outcomes);
  };
  if (options.strategy == app::OrderService::Strategy::group_commit) {
    // A batch's answers are built and sent by the HTTP threads, handed over at once (the
    // server exists by the time an order can arrive).
    options.answer_on = [this](std::function<void()> task) { server->post(std::move(task)); };
  }
  orders = std::make_unique<app::OrderService>(*store, options, std::move(wake));
  const app::OrderService* service = orders.get();
  metrics->add_counter("donut_orders_decided_total",
                       "Orders the sales path decided (sold or refused)",
                       [service] { return service->counters().orders; });
  metrics->add_counter("donut_order_transactions_total",
                       "Store transactions those orders were decided in; orders per transaction "
                       "is the group-commit batch size",
                       [service] { return service->counters().transactions; });
  api::add_sales_routes(*router, *store, *orders, {c.max_quantity});
  api::add_admin_routes(*router, *store, *broker, c.http.admin_token, shop_metrics.get());
  api::add_web_routes(*router);
}

// The sales and/or arrivals server: one router, one port.
Status LocalSystem::Parts::start_http(std::function<void()> wake) {
  const LocalConfig& c = config;
  router = std::make_unique<http::Router>(metrics.get());
  api::add_ops_routes(*router, *store, *metrics, c.roles.arrivals ? broker.get() : nullptr,
                      c.http.metrics_access == "open" ? nullptr : &c.http.admin_token);
  if (c.roles.sales) add_sales(std::move(wake));
  if (c.roles.arrivals) {
    app::ArrivalIntake::Options options;  // the default clock skew, as the Lambda's
    options.secret = c.http.callback_secret;
    intake = std::make_unique<app::ArrivalIntake>(*broker, clock, options);
    api::add_arrival_routes(*router, *intake);
  }
  DONUT_RETURN_IF_ERROR(api::add_api_description_routes(*router, api::shop_openapi_document(),
                                                        api::shop_reference_page()));
  http::Server::Options server_options;
  server_options.host = c.http.host;
  server_options.port = c.http.port;
  server_options.threads = c.http.threads;
  server_options.body_limit = c.http.body_limit;
  server_options.rate_limit = c.http.rate_limit;
  server_options.max_connections = c.http.max_connections;
  server = std::make_unique<http::Server>(server_options, router->handler());
  return server->start();
}

void LocalSystem::Parts::consume(std::string_view queue, int workers, app::BatchHandler handler) {
  app::QueueConsumer::Options options;
  options.queue = std::string(queue);
  options.workers = workers;
  consumers.push_back(std::make_unique<app::QueueConsumer>(*broker, options, std::move(handler)));
}

void LocalSystem::Parts::add_restock_worker(std::function<void()> wake) {
  const LocalConfig& c = config;
  http_client::HttpFactoryClient::Options factory_options;
  factory_options.base_url = c.factory.url;
  factory_options.timeout = Millis(c.factory.timeout_ms);
  factory_options.secret = c.http.callback_secret;  // signs each manufacture request
  factory_client = std::make_unique<http_client::HttpFactoryClient>(factory_options);
  app::RestockHandler::Options options;
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  options.worker_id =
      std::string(hostname) + "/" + std::to_string(::getpid()) + "/" + random_hex(4);
  options.callback_url = c.http.public_url + kCallbackPath;
  options.factory_id = c.factory.id;
  options.lease = Millis(c.restock_lease_ms);
  options.redelivery_base = Millis(c.retry_base_ms);
  options.redelivery_cap = Millis(c.retry_cap_ms);
  options.in_place_retry = std::min(Millis(200), Millis(c.retry_base_ms));
  options.on_factory_call = [metrics = shop_metrics.get()](auto outcome, Millis took) {
    metrics->record_factory_call(outcome, took);
  };
  restock_handler = std::make_unique<app::RestockHandler>(*store, *factory_client, clock, options,
                                                          std::move(wake));
  consume(app::kFactoryRequestsQueue, c.restock_workers,
          [handler = restock_handler.get()](auto messages, auto stop) {
            return handler->handle(messages, stop);
          });
}

void LocalSystem::Parts::add_notifier() {
  const LocalConfig& c = config;
  app::MailSettings mail{c.mail.from, {c.mail.to}};
  notifier = std::make_unique<app::Notifier>(*mailer, mail, store.get());
  consume(app::kNotificationsQueue, 1, [handler = notifier.get()](auto messages, auto stop) {
    return handler->handle(messages, stop);
  });
  std::vector<std::string> dlqs;
  for (const auto& queue : app::work_queues()) dlqs.push_back(app::dead_letter_queue_of(queue));
  dlq_monitor = std::make_unique<app::DlqMonitor>(*broker, *mailer, mail, dlqs,
                                                  Millis(c.dlq_check_interval_ms));
  dlq_monitor->start();
}

// Stuck: a loop whose current pass has run past the stall limit, although every call in a pass
// has a timeout (broker 5 s, MySQL 10 s, the factory 10 s, a batch of 10). Waits between passes
// do not count.
Status LocalSystem::Parts::alive() const {
  const Millis limit(config.stall_limit_ms);
  auto check = [&](std::string_view loop, Millis running) -> Status {
    if (running <= limit) return ok();
    return make_error(ErrorCode::unavailable, fmt::format("{} has not completed a pass in {} s",
                                                          loop, running.count() / 1000));
  };
  for (const auto& consumer : consumers) {
    DONUT_RETURN_IF_ERROR(check(consumer->queue() + " consumer", consumer->longest_pass()));
  }
  if (relay) DONUT_RETURN_IF_ERROR(check("outbox relay", relay->pass_running_for()));
  if (pruner) DONUT_RETURN_IF_ERROR(check("pruner", pruner->pass_running_for()));
  if (dlq_monitor) {
    DONUT_RETURN_IF_ERROR(check("dead-letter monitor", dlq_monitor->pass_running_for()));
  }
  return ok();
}

// Ready: the store answers, and the broker for every role but sales (its outbox holds events
// while the broker is away) and the factory simulator.
Status LocalSystem::Parts::ready() const {
  const Roles& r = config.roles;
  if (!r.use_engines()) return ok();
  DONUT_RETURN_IF_ERROR(store->ping());
  if (r.arrivals || r.restock || r.notifier || r.relay) DONUT_RETURN_IF_ERROR(broker->ping());
  return ok();
}

Status LocalSystem::Parts::start_health() {
  health_router = std::make_unique<http::Router>();
  api::add_health_routes(
      *health_router, {[this] { return alive(); }, [this] { return ready(); }}, *metrics,
      config.http.metrics_access == "token" ? &config.http.admin_token : nullptr);
  http::Server::Options options;
  options.host = config.http.host;
  options.port = static_cast<uint16_t>(config.health_port);
  options.threads = 1;
  options.server_name = "donut-health";
  health_server = std::make_unique<http::Server>(options, health_router->handler());
  return health_server->start();
}

Result<std::unique_ptr<LocalSystem>> LocalSystem::start(LocalConfig config) {
  auto p = std::make_unique<Parts>();
  p->config = std::move(config);
  LocalConfig& c = p->config;
  if (c.http.metrics_access == "probe" && c.health_port < 0) {
    return make_error(ErrorCode::invalid_argument,
                      "--metrics-access probe serves /metrics on the probe listener only: give "
                      "--health-port too");
  }
  DONUT_RETURN_IF_ERROR(p->open_data());
  if (c.roles.relay) {
    p->relay = std::make_unique<app::OutboxRelay>(
        *p->store, *p->broker, Millis(c.relay_interval_ms), Millis(c.outbox_lease_ms));
    DONUT_RETURN_IF_ERROR(app::validate(c.retention));
    app::Pruner::Options prune;
    prune.windows = c.retention;
    prune.interval = Millis(c.prune_interval_ms);
    p->pruner = std::make_unique<app::Pruner>(*p->store, p->clock, prune);
  }
  Parts* raw = p.get();
  auto wake = [raw] { raw->wake_relay(); };
  if (c.roles.sales || c.roles.arrivals) {
    DONUT_RETURN_IF_ERROR(p->start_http(wake));
    if (c.http.public_url.empty()) c.http.public_url = p->server->base_url();
  }
  if (c.http.public_url.empty())
    c.http.public_url = "http://" + c.http.host + ":" + std::to_string(c.http.port);
  if (c.factory.callback_url.empty()) c.factory.callback_url = c.http.public_url + kCallbackPath;
  if (c.roles.factory) {
    DONUT_RETURN_IF_ERROR(p->start_factory());
    if (c.factory.url.empty()) c.factory.url = p->factory_server->base_url();
  }
  if (c.factory.url.empty()) {
    c.factory.url =
        "http://" + c.factory.simulator_host + ":" + std::to_string(c.factory.simulator_port);
  }
  if (c.roles.restock) p->add_restock_worker(wake);
  if (c.roles.arrivals) {
    p->arrival_handler = std::make_unique<app::ArrivalHandler>(*p->store, wake);
    p->consume(app::kStockArrivalsQueue, 1,
               [handler = p->arrival_handler.get()](auto messages, auto stop) {
                 return handler->handle(messages, stop);
               });
  }
  if (c.roles.notifier) p->add_notifier();
  for (auto& each : p->consumers) each->start();
  if (p->relay) p->relay->start();
  if (p->pruner) p->pruner->start();
  if (c.health_port >= 0) DONUT_RETURN_IF_ERROR(p->start_health());
  return std::unique_ptr<LocalSystem>(new LocalSystem(std::move(p)));
}

void LocalSystem::stop() {
  if (!parts_ || parts_->stopped) return;
  auto& p = *parts_;
  p.stopped = true;
  if (p.health_server) p.health_server->stop();
  if (p.server) p.server->stop();
  if (p.orders) p.orders->stop();
  for (auto& each : p.consumers) each->stop();
  if (p.dlq_monitor) p.dlq_monitor->stop();
  if (p.pruner) p.pruner->stop();
  if (p.relay) {
    p.relay->stop();
    (void)p.relay->drain();  // publish what the last commits produced
  }
  if (p.factory_server) p.factory_server->stop();
  if (p.factory) p.factory->stop();
}

const LocalConfig& LocalSystem::config() const {
  return parts_->config;
}
std::string LocalSystem::url() const {
  return parts_->server ? parts_->server->base_url() : "";
}
std::string LocalSystem::factory_url() const {
  return parts_->factory_server ? parts_->factory_server->base_url() : "";
}
std::string LocalSystem::health_url() const {
  return parts_->health_server ? parts_->health_server->base_url() : "";
}
ports::Store& LocalSystem::store() {
  DONUT_ASSERT(parts_->store != nullptr);  // a process running only the factory has none
  return *parts_->store;
}
ports::Broker& LocalSystem::broker() {
  DONUT_ASSERT(parts_->broker != nullptr);
  return *parts_->broker;
}
factory::FactorySimulator* LocalSystem::factory() {
  return parts_->factory.get();
}
void LocalSystem::wake_relay() {
  parts_->wake_relay();
}

LocalSystem::RestockCounters LocalSystem::restock_counters() const {
  if (!parts_->restock_handler) return {};
  const auto c = parts_->restock_handler->counters();
  return {c.factory_calls, c.busy, c.duplicates};
}

}  // namespace donut::local
