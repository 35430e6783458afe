// `donut`: the one binary of Donut-States. Every role and every operator command is a
// subcommand; configuration comes from flags, DONUT_* environment variables, or a TOML/INI file
// given with --config (flags win over the environment, which wins over the file). Errors go to
// stderr with a non-zero exit: 1 for a refused business outcome (out of stock), 2 for bad usage
// or bad input, 3 when a dependency is unavailable.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/clock/clocks.h"
#include "adapters/http/curl_client.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "api/sales_api.h"
#include "app/topology.h"
#include "cli/restocks_command.h"
#include "common/ids.h"
#include "common/logging.h"
#include "domain/validation.h"
#include "hosts/local/local_system.h"
#include "surge/surge.h"

namespace {

using donut::local::LocalConfig;

int exit_code_for(const donut::Error& error) {
  switch (error.code) {
    case donut::ErrorCode::unavailable:
    case donut::ErrorCode::timeout:
      return 3;
    default:
      return 2;
  }
}

int fail(const donut::Error& error) {
  std::cerr << "donut: " << error.message << "\n";
  return exit_code_for(error);
}

// Waits for SIGINT or SIGTERM (blocked in every thread; see main).
void wait_for_shutdown_signal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
}

void add_common_options(CLI::App& app, LocalConfig& c, std::string& log_level,
                        std::string& log_format) {
  app.add_option("--data-dir", c.data_dir, "Folder for the database, mail outbox and secrets")
      ->envname("DONUT_DATA_DIR")
      ->capture_default_str();
  app.add_option("--database", c.database,
                 "SQLite database file (default: <data-dir>/warehouse.db)")
      ->envname("DONUT_DATABASE");
  app.add_option("--broker", c.broker,
                 "Queues: embedded (SQLite, default), amqp://user:password@host:port/vhost, or aws "
                 "(SNS+SQS; AWS_* environment variables)")
      ->envname("DONUT_BROKER");
  app.add_option("--aws-prefix", c.aws_prefix, "Prefix of the SNS topic and SQS queue names")
      ->envname("DONUT_AWS_PREFIX")
      ->capture_default_str();
  app.add_option("--mysql-pool-size", c.mysql_pool_size, "Connections to MySQL per process")
      ->envname("DONUT_MYSQL_POOL_SIZE")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->envname("DONUT_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--log-format", log_format,
                 "text, or json: one object per line with the order, restock and trace ids")
      ->envname("DONUT_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

// Where notifications go; the roles and `donut mail test` share them.
void add_mail_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--mailer", c.mailer,
                 "Where e-mail goes: file (.eml outbox), smtp (a mail server) or ses (Amazon SES)")
      ->envname("DONUT_MAILER")
      ->check(CLI::IsMember({"file", "smtp", "ses"}))
      ->capture_default_str();
  app.add_option("--mail-dir", c.mail_dir, "Mail outbox folder (default: <data-dir>/mail)")
      ->envname("DONUT_MAIL_DIR");
  app.add_option("--smtp-url", c.smtp_url, "SMTP server: smtp://host:port or smtps://host:port")
      ->envname("DONUT_SMTP_URL")
      ->capture_default_str();
  app.add_option("--smtp-tls", c.smtp_tls,
                 "starttls (required) or none (only for a relay on this host); smtps:// is TLS")
      ->envname("DONUT_SMTP_TLS")
      ->check(CLI::IsMember({"starttls", "none"}))
      ->capture_default_str();
  app.add_option("--smtp-user", c.smtp_user,
                 "SMTP login (the password comes from DONUT_SMTP_PASSWORD only)")
      ->envname("DONUT_SMTP_USER");
  app.add_option("--smtp-ca-file", c.smtp_ca_file, "PEM file of CAs to trust for the SMTP server")
      ->envname("DONUT_SMTP_CA_FILE");
  app.add_option("--mail-from", c.mail_from, "Sender of notifications")
      ->envname("DONUT_MAIL_FROM")
      ->capture_default_str();
  app.add_option("--mail-to", c.mail_to, "Recipient of notifications")
      ->envname("DONUT_MAIL_TO")
      ->capture_default_str();
}

void add_role_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--host", c.host, "Address to listen on")
      ->envname("DONUT_HOST")
      ->capture_default_str();
  app.add_option("--port", c.port, "Port of the sales / arrivals HTTP server")
      ->envname("DONUT_PORT")
      ->capture_default_str();
  app.add_option("--factory-port", c.factory_port, "Port of the factory simulator")
      ->envname("DONUT_FACTORY_PORT")
      ->capture_default_str();
  app.add_option("--http-threads", c.http_threads, "HTTP server threads")
      ->envname("DONUT_HTTP_THREADS")
      ->capture_default_str();
  app.add_option("--body-limit", c.body_limit, "Largest accepted request body in bytes")
      ->envname("DONUT_BODY_LIMIT")
      ->capture_default_str();
  app.add_option("--rate-limit", c.rate_limit,
                 "Requests per second per client address (429 beyond it); 0 turns it off")
      ->envname("DONUT_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--public-url", c.public_url,
                 "Base URL the factory calls back (default: this server's address)")
      ->envname("DONUT_PUBLIC_URL");
  app.add_option("--factory-url", c.factory_url,
                 "Base URL of the Legacy Factory API (default: the local simulator)")
      ->envname("DONUT_FACTORY_URL");
  app.add_option("--callback-secret", c.callback_secret,
                 "HMAC secret of factory callbacks (default: <data-dir>/callback-secret)")
      ->envname("DONUT_CALLBACK_SECRET");
  app.add_option("--admin-token", c.admin_token,
                 "Bearer token of the /admin routes (default: <data-dir>/admin-token)")
      ->envname("DONUT_ADMIN_TOKEN");
  app.add_option("--order-strategy", c.order_strategy,
                 "group (group commit, default) or per-request (one transaction per order)")
      ->envname("DONUT_ORDER_STRATEGY")
      ->check(CLI::IsMember({"group", "per-request"}))
      ->capture_default_str();
  app.add_option("--max-quantity", c.max_quantity, "Largest quantity of one order")
      ->envname("DONUT_MAX_QUANTITY")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}))
      ->capture_default_str();
  app.add_option("--visibility-timeout-ms", c.visibility_timeout_ms, "Queue visibility timeout")
      ->envname("DONUT_VISIBILITY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{43'200'000}))
      ->capture_default_str();
  app.add_option("--max-receive-count", c.max_receive_count,
                 "Receives before a message moves to its dead-letter queue")
      ->envname("DONUT_MAX_RECEIVE_COUNT")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--restock-workers", c.restock_workers, "Restock worker threads")
      ->envname("DONUT_RESTOCK_WORKERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--restock-lease-ms", c.restock_lease_ms, "How long a worker owns a restock")
      ->envname("DONUT_RESTOCK_LEASE_MS")
      ->capture_default_str();
  app.add_option("--factory-timeout-ms", c.factory_timeout_ms, "Timeout of one factory call")
      ->envname("DONUT_FACTORY_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--retry-base-ms", c.retry_base_ms, "First redelivery delay after a failure")
      ->envname("DONUT_RETRY_BASE_MS")
      ->capture_default_str();
  app.add_option("--retry-cap-ms", c.retry_cap_ms, "Longest redelivery delay")
      ->envname("DONUT_RETRY_CAP_MS")
      ->capture_default_str();
  app.add_option("--factory-delay-ms", c.factory_delay_ms, "Simulator: manufacturing time")
      ->envname("DONUT_FACTORY_DELAY_MS")
      ->capture_default_str();
  app.add_option("--factory-failure-rate", c.factory_failure_rate,
                 "Simulator: share of requests answered 500 (0..1)")
      ->envname("DONUT_FACTORY_FAILURE_RATE")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--factory-response-delay-ms", c.factory_response_delay_ms,
                 "Simulator: how long before it answers a request")
      ->envname("DONUT_FACTORY_RESPONSE_DELAY_MS")
      ->capture_default_str();
  app.add_option("--factory-id", c.factory_id, "MessageAttributeFactoryId sent to the factory")
      ->envname("DONUT_FACTORY_ID")
      ->capture_default_str();
  add_mail_options(app, c);
  app.add_option("--seed-file", c.seed_file,
                 "Catalogue JSON {\"products\":[{id,name,price_cents,stock,restock_quantity}]}")
      ->envname("DONUT_SEED_FILE");
  app.add_flag("!--no-seed", c.seed, "Do not add the catalogue's products");
}

// Where notifications go, for the banner.
std::string describe_mail(const LocalConfig& c) {
  if (c.mailer == "smtp") return c.smtp_url + " (SMTP) to " + c.mail_to;
  if (c.mailer == "ses") return "Amazon SES to " + c.mail_to;
  return c.mail_path() + " (.eml files)";
}

// Never a flag: command lines are visible to every user of the machine.
void read_smtp_password(LocalConfig& config) {
  if (const char* password = std::getenv("DONUT_SMTP_PASSWORD")) config.smtp_password = password;
}

int run_roles(LocalConfig config, bool banner) {
  auto system = donut::local::LocalSystem::start(std::move(config));
  if (!system) return fail(system.error());
  auto& s = **system;
  const auto& c = s.config();
  if (banner) {
    std::cout << "Donut-States is up.\n"
              << "  Sales API      " << s.url() << "\n"
              << "  Factory        " << (s.factory_url().empty() ? c.factory_url : s.factory_url())
              << "\n"
              << "  Warehouse      " << donut::local::describe_database(c) << "\n"
              << "  Mail           " << describe_mail(c) << "\n"
              << "  Admin token    " << (std::filesystem::path(c.data_dir) / "admin-token").string()
              << "\n\nTry:\n"
              << "  curl -s " << s.url() << "/v1/products\n"
              << "  curl -s -X POST " << s.url()
              << "/v1/orders -H 'Content-Type: application/json' "
                 "-d '{\"product_id\":\"CP-502104\",\"quantity\":5}'\n"
              << "  donut queues --data-dir " << c.data_dir << "\n"
              << (c.mailer == "file" ? "  ls " + c.mail_path() + "\n" : "")
              << "\nCtrl-C stops it.\n"
              << std::flush;
  } else {
    // On stdout, for scripts that start a role and need its address (port 0 picks one).
    if (!s.url().empty()) std::cout << "listening on " << s.url() << std::endl;
    if (!s.factory_url().empty())
      std::cout << "factory simulator on " << s.factory_url() << std::endl;
    std::cout << "ready" << std::endl;
  }
  wait_for_shutdown_signal();
  s.stop();
  return 0;
}

struct Direct {
  donut::clock::SystemClock clock;
  donut::local::OpenedStore warehouse;
  donut::ports::Store* store = nullptr;
  std::shared_ptr<donut::sqlite::Database> broker_db;
  std::unique_ptr<donut::ports::Broker> broker;
};

// Operator commands open the warehouse directly (applying migrations); they work whether or
// not roles run.
donut::Result<std::unique_ptr<Direct>> open_direct(const LocalConfig& c) {
  auto d = std::make_unique<Direct>();
  std::error_code ignored;
  std::filesystem::create_directories(c.data_dir, ignored);
  DONUT_ASSIGN_OR_RETURN(d->warehouse, donut::local::open_store(c, d->clock));
  d->store = d->warehouse.store.get();
  d->broker_db = d->warehouse.sqlite;
  DONUT_ASSIGN_OR_RETURN(d->broker, donut::local::open_broker(c, d->clock, d->broker_db));
  donut::app::TopologySettings settings;
  settings.visibility_timeout = donut::Millis(c.visibility_timeout_ms);
  settings.max_receive_count = c.max_receive_count;
  DONUT_RETURN_IF_ERROR(d->broker->declare(donut::app::pipeline_topology(settings)));
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  // Block the shutdown signals in every thread; the main thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CLI::App app{"Donut-States: donut sales with a self-restocking warehouse", "donut"};
  app.set_config("--config", "", "TOML or INI file with any of the long options");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--data-dir, ...) may follow the subcommand
  app.set_version_flag("--version", "donut 0.1.0");

  LocalConfig config;
  std::string log_level = "info";
  std::string log_format = "text";
  add_common_options(app, config, log_level, log_format);

  struct RoleCommand {
    const char* name;
    const char* help;
    donut::local::Roles roles;
  };
  const RoleCommand role_commands[] = {
      {"up", "Run every role in one process on embedded defaults", donut::local::Roles::all()},
      {"sales", "Run the Sales API", {true, false, false, false, false, false}},
      {"arrivals",
       "Run the stock-arrival intake and worker",
       {false, true, false, false, false, false}},
      {"restock",
       "Run the restock worker (factory-requests queue)",
       {false, false, true, false, false, false}},
      {"notifier",
       "Run the e-mail notifier and the dead-letter monitor",
       {false, false, false, true, false, false}},
      {"relay",
       "Run the outbox relay (warehouse events -> broker)",
       {false, false, false, false, true, false}},
      {"factory",
       "Run the Legacy Factory API simulator",
       {false, false, false, false, false, true}},
  };
  donut::local::Roles chosen_roles;
  bool banner = false;
  for (const auto& role : role_commands) {
    auto* sub = app.add_subcommand(role.name, role.help);
    add_role_options(*sub, config);
    sub->callback([&, role] {
      chosen_roles = role.roles;
      banner = std::string_view(role.name) == "up";
    });
  }

  // stock list | stock set
  auto* stock = app.add_subcommand("stock", "Look at or set stock levels")->require_subcommand(1);
  auto* stock_list = stock->add_subcommand("list", "List products and stock");
  auto* stock_set = stock->add_subcommand("set", "Set the stock of a product");
  std::string product_id;
  int64_t stock_level = 0;
  stock_set->add_option("product", product_id, "Product id")->required();
  stock_set->add_option("stock", stock_level, "New stock level")->required();

  // order
  auto* order = app.add_subcommand("order", "Place an order through the Sales API");
  std::string url = "http://127.0.0.1:8080";
  int64_t quantity = 1;
  std::string idempotency_key;
  order->add_option("product", product_id, "Product id")->required();
  order->add_option("quantity", quantity, "How many")->capture_default_str();
  order->add_option("--url", url, "Sales API base URL")
      ->envname("DONUT_URL")
      ->capture_default_str();
  order->add_option("--idempotency-key", idempotency_key, "Idempotency-Key header");

  // db migrate
  auto* db = app.add_subcommand("db", "Warehouse schema")->require_subcommand(1);
  auto* db_migrate =
      db->add_subcommand("migrate", "Apply the schema migrations the warehouse lacks");

  // restocks
  auto* restocks = app.add_subcommand("restocks", "Each restock's timeline, newest first");
  std::string restocks_product;
  int restocks_limit = 10;
  bool restocks_json = false;
  restocks->add_option("--product", restocks_product, "Only this product's restocks");
  restocks->add_option("--limit", restocks_limit, "How many restocks")
      ->check(CLI::Range(1, 200))
      ->capture_default_str();
  restocks->add_flag("--json", restocks_json, "The same as GET /admin/restocks answers");

  // queues, dlq
  auto* queues = app.add_subcommand("queues", "Queue depths, messages in flight, dead letters");
  auto* dlq =
      app.add_subcommand("dlq", "Inspect and redrive dead-letter queues")->require_subcommand(1);
  std::string queue_name;
  std::string message_id;
  bool yes = false;
  auto* dlq_list = dlq->add_subcommand("list", "List the messages of a dead-letter queue");
  auto* dlq_show = dlq->add_subcommand("show", "Show one dead-lettered message in full");
  auto* dlq_redrive =
      dlq->add_subcommand("redrive", "Move dead letters back to their source queue");
  auto* dlq_purge = dlq->add_subcommand("purge", "Delete every message of a dead-letter queue");
  for (auto* sub : {dlq_list, dlq_show, dlq_redrive, dlq_purge}) {
    sub->add_option("queue", queue_name,
                    "Dead-letter queue, e.g. factory-requests-dlq (or its source queue)")
        ->required();
  }
  dlq_show->add_option("message", message_id, "Message id")->required();
  dlq_purge->add_flag("--yes", yes, "Confirm");

  // mail test
  auto* mail = app.add_subcommand("mail", "Notification e-mail")->require_subcommand(1);
  auto* mail_test = mail->add_subcommand(
      "test", "Send one test e-mail the way the notifier would, to check the mail settings");
  add_mail_options(*mail_test, config);

  // surge
  auto* surge = app.add_subcommand(
      "surge", "Replay the flash crowd against a running system and check invariants");
  donut::surge::SurgeOptions surge_options;
  double ramp_s = 10, hold_s = 10, settle_s = 60;
  surge->add_option("--url", surge_options.url, "Sales API base URL")
      ->envname("DONUT_URL")
      ->capture_default_str();
  surge
      ->add_option("--admin-token", surge_options.admin_token,
                   "Bearer token of /admin (default: <data-dir>/admin-token)")
      ->envname("DONUT_ADMIN_TOKEN");
  surge->add_option("--product", surge_options.product, "Product to create and sell")
      ->capture_default_str();
  surge->add_option("--initial-stock", surge_options.initial_stock, "Stock before the surge")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}))
      ->capture_default_str();
  surge->add_option("--restock", surge_options.restock_quantity, "Restock quantity of the product")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))
      ->capture_default_str();
  surge->add_option("--connections", surge_options.connections, "Concurrent clients")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  surge->add_option("--start-rate", surge_options.start_rate, "Orders/s when the ramp starts")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  surge->add_option("--peak-rate", surge_options.peak_rate, "Orders/s at the peak")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  surge->add_option("--ramp-s", ramp_s, "Seconds of ramp")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge->add_option("--hold-s", hold_s, "Seconds at the peak")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge
      ->add_option("--settle-timeout-s", settle_s,
                   "How long to wait for the restocks after the load")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge->add_option("--chart", surge_options.chart_path, "Where to write the SVG chart")
      ->capture_default_str();
  surge->add_flag("--tolerate-errors", surge_options.tolerate_errors,
                  "Report order answers other than 201/409 without failing the run (for runs "
                  "under injected faults; the invariants still decide)");

  CLI11_PARSE(app, argc, argv);
  donut::init_logging(log_level, log_format);
  read_smtp_password(config);

  for (const auto& role : role_commands) {
    if (app.got_subcommand(role.name)) {
      config.roles = chosen_roles;
      // `up` with a named factory talks to it instead of starting the simulator.
      if (banner && !config.factory_url.empty()) config.roles.factory = false;
      return run_roles(config, banner);
    }
  }

  if (surge->parsed()) {
    surge_options.ramp = donut::Millis(static_cast<int64_t>(ramp_s * 1000));
    surge_options.hold = donut::Millis(static_cast<int64_t>(hold_s * 1000));
    surge_options.settle_timeout = donut::Millis(static_cast<int64_t>(settle_s * 1000));
    if (surge_options.admin_token.empty()) {
      std::ifstream in(std::filesystem::path(config.data_dir) / "admin-token");
      std::getline(in, surge_options.admin_token);
    }
    // Exit 0: every invariant holds; 1: one is broken; 2: the run could not judge them.
    auto report = donut::surge::run_surge(surge_options, std::cout);
    if (!report) {
      std::cerr << "donut surge: could not judge: " << report.error().message << "\n";
      return 2;
    }
    donut::surge::print_report(*report, std::cout);
    std::ofstream chart(surge_options.chart_path);
    chart << donut::surge::render_chart(*report, "donut surge: " + surge_options.product);
    std::cout << "chart: " << surge_options.chart_path << "\n";
    if (!report->judged()) {
      std::cerr << "donut surge: could not judge: " << report->unjudged << "\n";
      return 2;
    }
    return report->ok() ? 0 : 1;
  }

  if (mail_test->parsed()) {
    donut::clock::SystemClock clock;
    auto mailer = donut::local::open_mailer(config, clock);
    if (!mailer) return fail(mailer.error());
    const donut::ports::Email email{
        "test-" + donut::random_hex(8),
        config.mail_from,
        {config.mail_to},
        "[donut-states] test e-mail",
        "This is a test from Donut-States: notifications reach this address.\n"};
    if (auto sent = (*mailer)->send(email); !sent) return fail(sent.error());
    std::cout << "sent " << email.id << " to " << config.mail_to << " via " << describe_mail(config)
              << "\n";
    return 0;
  }

  if (order->parsed()) {
    if (auto valid = donut::domain::validate_product_id(product_id); !valid)
      return fail(valid.error());
    boost::json::object body;
    body["product_id"] = product_id;
    body["quantity"] = quantity;
    std::vector<std::pair<std::string, std::string>> headers;
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    auto response =
        donut::http_client::post_json(url + "/v1/orders", boost::json::serialize(body), headers);
    if (!response) return fail(response.error());
    std::cout << response->body << "\n";
    if (response->status == 201) return 0;
    std::cerr << "donut: order not placed (HTTP " << response->status << ")\n";
    return response->status == 409 ? 1 : 2;
  }

  auto direct = open_direct(config);
  if (!direct) return fail(direct.error());
  auto& d = **direct;

  if (db_migrate->parsed()) {
    std::cout << "warehouse " << donut::local::describe_database(config) << " is at schema version "
              << d.warehouse.schema_version << "\n";
    return 0;
  }
  if (stock_list->parsed()) {
    auto products = d.store->list_products();
    if (!products) return fail(products.error());
    std::printf("%-12s %-24s %8s %8s  %s\n", "PRODUCT", "NAME", "STOCK", "RESTOCK", "OPEN RESTOCK");
    for (const auto& p : *products) {
      std::printf("%-12s %-24s %8lld %8lld  %s\n", p.id.c_str(), p.name.c_str(),
                  static_cast<long long>(p.stock), static_cast<long long>(p.restock_quantity),
                  p.open_restock_id.empty() ? "-" : p.open_restock_id.c_str());
    }
    return 0;
  }
  if (stock_set->parsed()) {
    if (auto valid = donut::domain::validate_stock_level(stock_level); !valid)
      return fail(valid.error());
    auto product = d.store->set_stock(product_id, stock_level);
    if (!product) return fail(product.error());
    std::cout << donut::api::product_json(*product) << "\n";
    return 0;
  }
  if (restocks->parsed()) {
    return donut::cli::print_restocks(*d.store, restocks_product, restocks_limit, restocks_json,
                                      stdout);
  }
  if (queues->parsed()) {
    std::printf("%-24s %8s %10s %8s %10s\n", "QUEUE", "VISIBLE", "IN FLIGHT", "DELAYED", "DEAD");
    for (const auto& queue : donut::app::work_queues()) {
      auto o = donut::app::queue_overview(*d.broker, queue);
      if (!o) return fail(o.error());
      std::printf(
          "%-24s %8lld %10lld %8lld %10lld\n", queue.c_str(),
          static_cast<long long>(o->stats.visible), static_cast<long long>(o->stats.in_flight),
          static_cast<long long>(o->stats.delayed), static_cast<long long>(o->dead_letters));
    }
    return 0;
  }
  // Accept the source queue's name for convenience: "dlq list factory-requests".
  const std::string dlq_name = queue_name.ends_with(donut::app::kDeadLetterSuffix)
                                   ? queue_name
                                   : donut::app::dead_letter_queue_of(queue_name);
  if (dlq_list->parsed() || dlq_show->parsed()) {
    auto messages = d.broker->peek(dlq_name, 1000);
    if (!messages) return fail(messages.error());
    if (dlq_list->parsed()) {
      std::printf("%-28s %-26s %-20s %s\n", "MESSAGE", "SENT", "SOURCE", "BODY");
      for (const auto& m : *messages) {
        std::printf("%-28s %-26s %-20s %.60s\n", m.message_id.c_str(),
                    donut::format_rfc3339(m.sent_at).c_str(), m.source_queue.c_str(),
                    m.body.c_str());
      }
      std::printf("%zu message(s)\n", messages->size());
      return 0;
    }
    for (const auto& m : *messages) {
      if (m.message_id != message_id) continue;
      std::cout << "message_id:   " << m.message_id << "\nsource_queue: " << m.source_queue
                << "\nsent_at:      " << donut::format_rfc3339(m.sent_at) << "\nattributes:  ";
      for (const auto& [k, v] : m.attributes) std::cout << " " << k << "=" << v;
      std::cout << "\nbody:\n" << m.body << "\n";
      return 0;
    }
    return fail(donut::make_error(donut::ErrorCode::not_found,
                                  "no message " + message_id + " in " + dlq_name));
  }
  if (dlq_redrive->parsed()) {
    auto moved = d.broker->redrive(dlq_name, 1'000'000);
    if (!moved) return fail(moved.error());
    std::cout << "moved " << *moved << " message(s) from " << dlq_name
              << " back to their source queue\n";
    return 0;
  }
  if (dlq_purge->parsed()) {
    if (!yes) {
      std::cerr << "donut: purging deletes the messages for good; add --yes to confirm\n";
      return 2;
    }
    auto purged = d.broker->purge(dlq_name);
    if (!purged) return fail(purged.error());
    std::cout << "purged " << *purged << " message(s) from " << dlq_name << "\n";
    return 0;
  }
  return 0;
}
