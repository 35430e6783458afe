#include "cli/options.h"

#include <algorithm>
#include <iterator>

#include "app/pruner.h"
#include "common/assert.h"

namespace donut::cli {

using local::LocalConfig;

void add_host_option(CLI::App& app, LocalConfig& c) {
  app.add_option("--host", c.http.host, "Address to listen on")
      ->envname("DONUT_HOST")
      ->capture_default_str();
}

void add_common_options(CLI::App& app, LocalConfig& c, LogSettings& log) {
  app.add_option("--data-dir", c.data_dir, "Folder for the database, mail outbox and secrets")
      ->envname("DONUT_DATA_DIR")
      ->capture_default_str();
  app.add_option("--database", c.store.database,
                 "SQLite database file (default: <data-dir>/warehouse.db)")
      ->envname("DONUT_DATABASE");
  app.add_option("--broker", c.broker.url,
                 "Queues: embedded (SQLite, default), amqp://user:password@host:port/vhost, or aws "
                 "(SNS+SQS; AWS_* environment variables)")
      ->envname("DONUT_BROKER");
  app.add_option("--aws-prefix", c.broker.aws_prefix, "Prefix of the SNS topic and SQS queue names")
      ->envname("DONUT_AWS_PREFIX")
      ->capture_default_str();
  app.add_option("--mysql-pool-size", c.store.mysql_pool_size, "Connections to MySQL per process")
      ->envname("DONUT_MYSQL_POOL_SIZE")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--log-level", log.level, "trace|debug|info|warn|error|off")
      ->envname("DONUT_LOG_LEVEL")
      ->capture_default_str();
  app.add_option("--log-format", log.format,
                 "text, or json: one object per line with the order, restock and trace ids")
      ->envname("DONUT_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

void add_queue_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--visibility-timeout-ms", c.visibility_timeout_ms, "Queue visibility timeout")
      ->envname("DONUT_VISIBILITY_TIMEOUT_MS")
      ->check(CLI::Range(int64_t{1}, int64_t{43'200'000}))
      ->capture_default_str();
  app.add_option("--max-receive-count", c.max_receive_count,
                 "Receives before a message moves to its dead-letter queue")
      ->envname("DONUT_MAX_RECEIVE_COUNT")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
}

void add_health_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--health-port", c.health_port,
                 "Port of the probe listener: /healthz, /readyz, /metrics (default: none; 0 picks "
                 "a free port)")
      ->envname("DONUT_HEALTH_PORT")
      ->check(CLI::Range(0, 65535));
  app.add_option("--stall-limit-ms", c.stall_limit_ms,
                 "A background loop silent this long makes /healthz fail (the process is stuck)")
      ->envname("DONUT_STALL_LIMIT_MS")
      ->check(CLI::Range(int64_t{100}, int64_t{86'400'000}))
      ->capture_default_str();
}

void add_seed_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--seed-file", c.seed_file,
                 "Catalogue JSON {\"products\":[{id,name,price_cents,stock,restock_quantity,policy,"
                 "service_level,max_restock_quantity}]}")
      ->envname("DONUT_SEED_FILE");
  app.add_flag("!--no-seed", c.seed, "Do not add the catalogue's products");
}

void add_http_server_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--port", c.http.port, "Port of the sales / arrivals HTTP server")
      ->envname("DONUT_PORT")
      ->capture_default_str();
  app.add_option("--http-threads", c.http.threads, "HTTP server threads")
      ->envname("DONUT_HTTP_THREADS")
      ->capture_default_str();
  app.add_option("--body-limit", c.http.body_limit, "Largest accepted request body in bytes")
      ->envname("DONUT_BODY_LIMIT")
      ->capture_default_str();
  app.add_option("--rate-limit", c.http.rate_limit,
                 "Requests per second per client address (429 beyond it); 0 turns it off")
      ->envname("DONUT_RATE_LIMIT")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  app.add_option("--metrics-access", c.http.metrics_access,
                 "Who may GET /metrics: open (any scraper), token (the admin bearer token) or "
                 "probe (any scraper on the probe listener, --health-port; the token elsewhere)")
      ->envname("DONUT_METRICS_ACCESS")
      ->check(CLI::IsMember({"open", "token", "probe"}))
      ->capture_default_str();
  app.add_option("--max-connections", c.http.max_connections,
                 "Open connections served at once; beyond it a new connection is answered 503 "
                 "with Retry-After. 0: the open-files limit (raised to its hard limit) less 256")
      ->envname("DONUT_MAX_CONNECTIONS")
      ->check(CLI::Range(std::size_t{0}, std::size_t{10'000'000}))
      ->capture_default_str();
}

void add_admin_token_option(CLI::App& app, LocalConfig& c) {
  app.add_option("--admin-token", c.http.admin_token,
                 "Bearer token of the /admin routes (default: <data-dir>/admin-token); prefer "
                 "--admin-token-file or DONUT_ADMIN_TOKEN_FILE: a command line is visible to all")
      ->envname("DONUT_ADMIN_TOKEN");
  app.add_option("--admin-token-file", c.http.admin_token_file,
                 "File holding the admin token (one trailing newline dropped); wins over "
                 "DONUT_ADMIN_TOKEN");
}

void add_sales_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--order-strategy", c.order_strategy,
                 "group (group commit, default) or per-request (one transaction per order)")
      ->envname("DONUT_ORDER_STRATEGY")
      ->check(CLI::IsMember({"group", "per-request"}))
      ->capture_default_str();
  app.add_option("--max-quantity", c.max_quantity, "Largest quantity of one order")
      ->envname("DONUT_MAX_QUANTITY")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}))
      ->capture_default_str();
}

void add_callback_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--callback-secret", c.http.callback_secret,
                 "HMAC secret shared with the factory (default: <data-dir>/callback-secret); "
                 "prefer --callback-secret-file or DONUT_CALLBACK_SECRET_FILE")
      ->envname("DONUT_CALLBACK_SECRET");
  app.add_option("--callback-secret-file", c.http.callback_secret_file,
                 "File holding the callback secret (one trailing newline dropped); wins over "
                 "DONUT_CALLBACK_SECRET");
}

std::vector<std::string> secrets_on_the_command_line(std::span<const char* const> args) {
  // Flags whose value is a secret; and flags whose value is a URL that may hold a password.
  constexpr std::string_view kSecretFlags[] = {"--admin-token", "--callback-secret"};
  constexpr std::string_view kUrlFlags[] = {"--database", "--broker", "--smtp-url"};
  std::vector<std::string> found;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    const auto flag = arg.substr(0, arg.find('='));
    const bool inline_value = flag.size() < arg.size();
    for (auto secret : kSecretFlags) {
      if (flag == secret) found.emplace_back(secret);
    }
    for (auto url_flag : kUrlFlags) {
      if (flag != url_flag) continue;
      const std::string_view value =
          inline_value ? arg.substr(flag.size() + 1) : (i + 1 < args.size() ? args[i + 1] : "");
      const auto authority = value.find("://");
      const auto at = value.find('@');
      if (authority != std::string_view::npos && at != std::string_view::npos &&
          value.substr(authority + 3, at - authority - 3).find(':') != std::string_view::npos) {
        found.emplace_back(std::string(url_flag) + " (a URL with a password)");
      }
    }
  }
  return found;
}

void add_restock_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--public-url", c.http.public_url,
                 "Base URL the factory calls back (default: this server's address)")
      ->envname("DONUT_PUBLIC_URL");
  app.add_option("--factory-url", c.factory.url,
                 "Base URL of the Legacy Factory API (default: the local simulator)")
      ->envname("DONUT_FACTORY_URL");
  app.add_option("--restock-workers", c.restock_workers, "Restock worker threads")
      ->envname("DONUT_RESTOCK_WORKERS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--restock-lease-ms", c.restock_lease_ms, "How long a worker owns a restock")
      ->envname("DONUT_RESTOCK_LEASE_MS")
      ->capture_default_str();
  app.add_option("--factory-timeout-ms", c.factory.timeout_ms, "Timeout of one factory call")
      ->envname("DONUT_FACTORY_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--retry-base-ms", c.retry_base_ms, "First redelivery delay after a failure")
      ->envname("DONUT_RETRY_BASE_MS")
      ->capture_default_str();
  app.add_option("--retry-cap-ms", c.retry_cap_ms, "Longest redelivery delay")
      ->envname("DONUT_RETRY_CAP_MS")
      ->capture_default_str();
  app.add_option("--factory-id", c.factory.id, "MessageAttributeFactoryId sent to the factory")
      ->envname("DONUT_FACTORY_ID")
      ->capture_default_str();
}

void add_factory_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--factory-host", c.factory.simulator_host,
                 "Address the factory simulator listens on (a test stand-in: keep it private)")
      ->envname("DONUT_FACTORY_HOST")
      ->capture_default_str();
  app.add_option("--factory-port", c.factory.simulator_port, "Port of the factory simulator")
      ->envname("DONUT_FACTORY_PORT")
      ->capture_default_str();
  app.add_option("--factory-callback-url", c.factory.callback_url,
                 "The only URL the simulator calls back (default: <public-url>/v1/stock-arrivals, "
                 "the shop of `donut up`)")
      ->envname("DONUT_FACTORY_CALLBACK_URL");
  app.add_option("--factory-delay-ms", c.factory.delay_ms, "Simulator: manufacturing time")
      ->envname("DONUT_FACTORY_DELAY_MS")
      ->capture_default_str();
  app.add_option("--factory-failure-rate", c.factory.failure_rate,
                 "Simulator: share of requests answered 500 (0..1)")
      ->envname("DONUT_FACTORY_FAILURE_RATE")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--factory-response-delay-ms", c.factory.response_delay_ms,
                 "Simulator: how long before it answers a request")
      ->envname("DONUT_FACTORY_RESPONSE_DELAY_MS")
      ->capture_default_str();
}

void add_mail_options(CLI::App& app, LocalConfig& c) {
  app.add_option("--mailer", c.mail.mailer,
                 "Where e-mail goes: file (.eml outbox), smtp (a mail server) or ses (Amazon SES)")
      ->envname("DONUT_MAILER")
      ->check(CLI::IsMember({"file", "smtp", "ses"}))
      ->capture_default_str();
  app.add_option("--mail-dir", c.mail.dir, "Mail outbox folder (default: <data-dir>/mail)")
      ->envname("DONUT_MAIL_DIR");
  app.add_option("--smtp-url", c.mail.smtp_url,
                 "SMTP server: smtp://host:port or smtps://host:port")
      ->envname("DONUT_SMTP_URL")
      ->capture_default_str();
  app.add_option("--smtp-tls", c.mail.smtp_tls,
                 "starttls (required) or none (only for a relay on this host); smtps:// is TLS")
      ->envname("DONUT_SMTP_TLS")
      ->check(CLI::IsMember({"starttls", "none"}))
      ->capture_default_str();
  app.add_option("--smtp-user", c.mail.smtp_user,
                 "SMTP login (the password comes from DONUT_SMTP_PASSWORD only)")
      ->envname("DONUT_SMTP_USER");
  app.add_option("--smtp-ca-file", c.mail.smtp_ca_file,
                 "PEM file of CAs to trust for the SMTP server")
      ->envname("DONUT_SMTP_CA_FILE");
  app.add_option("--mail-from", c.mail.from, "Sender of notifications")
      ->envname("DONUT_MAIL_FROM")
      ->capture_default_str();
  app.add_option("--mail-to", c.mail.to, "Recipient of notifications")
      ->envname("DONUT_MAIL_TO")
      ->capture_default_str();
}

namespace {

// A window in whole hours, read into `windows.*window`, from its option or the variable
// app::kRetentionSettings names for it.
void add_window_option(CLI::App& app, const std::string& name,
                       donut::app::RetentionWindows& windows,
                       std::chrono::seconds donut::app::RetentionWindows::*member,
                       const std::string& help) {
  const auto setting = std::find_if(
      std::begin(donut::app::kRetentionSettings), std::end(donut::app::kRetentionSettings),
      [&](const donut::app::RetentionSetting& s) { return s.window == member; });
  DONUT_ASSERT(setting != std::end(donut::app::kRetentionSettings), "every window has a variable");
  auto& window = windows.*member;
  app.add_option_function<int64_t>(
         name, [&window](int64_t hours) { window = std::chrono::hours(hours); }, help)
      ->envname(setting->env)
      ->check(CLI::Range(int64_t{1}, int64_t{24 * 3660}))
      ->default_str(std::to_string(std::chrono::duration_cast<std::chrono::hours>(window).count()));
}

}  // namespace

void add_retention_options(CLI::App& app, LocalConfig& c) {
  using W = donut::app::RetentionWindows;
  auto& w = c.retention;
  add_window_option(app, "--keep-idempotency-keys-hours", w, &W::idempotency_keys,
                    "Hours an Idempotency-Key replays its first answer; a retry after it is a new "
                    "order");
  add_window_option(app, "--keep-published-outbox-hours", w, &W::published_outbox,
                    "Hours a published outbox entry is kept (a timeline shows when it was "
                    "published while it is)");
  add_window_option(app, "--keep-timelines-hours", w, &W::timeline_entries,
                    "Hours a restock timeline entry is kept");
  add_window_option(app, "--keep-arrivals-hours", w, &W::arrivals,
                    "Hours an applied arrival's request id is kept (at least 13 days: a "
                    "redelivered arrival is recognised by it)");
}

}  // namespace donut::cli
