#include "hosts/lambda/functions.h"

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/aws/ses_client.h"  // get_secret_string (Secrets Manager)
#include "adapters/clock/clocks.h"
#include "adapters/http/http_factory_client.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/role_users.h"
#include "api/admin_routes.h"
#include "api/api_description.h"
#include "api/api_documents.h"
#include "api/arrival_routes.h"
#include "api/sales_routes.h"
#include "api/web_pages.h"
#include "app/arrivals.h"
#include "app/notifier.h"
#include "app/order_service.h"
#include "app/outbox_relay.h"
#include "app/pruner.h"
#include "app/restock_handler.h"
#include "app/topology.h"
#include "codec/json_fields.h"
#include "common/deadline.h"
#include "common/ids.h"
#include "domain/events.h"
#include "hosts/lambda/lambda_host.h"
#include "wiring/broker.h"
#include "wiring/mail.h"
#include "wiring/store.h"

namespace donut::lambda {
namespace {

std::string env(const char* name, std::string fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// An integer setting in [low, high]; a malformed or out-of-range value is a start-up error, not
// an exception.
Result<int64_t> int_env(const char* name, int64_t fallback, int64_t low, int64_t high) {
  const std::string text = env(name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return make_error(ErrorCode::invalid_argument, std::string(name) + " must be an integer from " +
                                                       std::to_string(low) + " to " +
                                                       std::to_string(high));
  }
  return value;
}

Result<std::string> required_env(const char* name) {
  auto value = env(name);
  if (value.empty())
    return make_error(ErrorCode::invalid_argument, std::string(name) + " is not set");
  return value;
}

// Everything a function may need, opened on demand and kept for the life of the process
// (a Lambda execution environment serves many invocations).
class Wiring {
 public:
  // Secrets Manager calls (the database's credentials, secret settings).
  Result<std::shared_ptr<const aws::AwsCaller>> aws() {
    if (!aws_) {
      DONUT_ASSIGN_OR_RETURN(auto config, aws::AwsConfig::from_environment());
      aws_ = std::make_shared<aws::AwsCaller>(std::move(config), clock_);
    }
    return aws_;
  }

  Result<ports::Store*> store() {
    if (!store_.store) {
      DONUT_ASSIGN_OR_RETURN(auto url, database_url());
      wiring::StoreSettings settings;
      settings.database = std::move(url);
      // Deployed, a function connects as its role's own user, which may not change the schema:
      // the migrate function did (below). A URL given outright (local runs, tests) migrates.
      settings.migrate = !env("DONUT_DATABASE").empty();
      // Connections per execution environment: Terraform sizes the functions' concurrency
      // against the instance's max_connections with this same number (deploy/aws/functions.tf).
      DONUT_ASSIGN_OR_RETURN(const int64_t pool, int_env("DONUT_MYSQL_POOL_SIZE", 2, 1, 16));
      settings.mysql_pool_size = static_cast<int>(pool);
      // Under the server's wait_timeout: a frozen environment thawed after a long pause
      // reconnects instead of using a session MySQL has closed.
      DONUT_ASSIGN_OR_RETURN(const int64_t max_idle,
                             int_env("DONUT_MYSQL_MAX_IDLE_SECONDS", 0, 0, 86400));
      settings.mysql_max_idle = std::chrono::seconds(max_idle);
      wiring::CredentialsReader reread;
      if (env("DONUT_DATABASE").empty()) {
        reread = [this](std::string& user, std::string& password) {
          return read_database_secret(user, password);
        };
      }
      DONUT_ASSIGN_OR_RETURN(store_, wiring::open_store(settings, clock_, std::move(reread)));
    }
    return store_.store.get();
  }

  // `resolve_all`: look up every queue of the pipeline now (the admin function, which redrives
  // dead-letter queues to their sources); the others look up only what they use.
  Result<ports::Broker*> broker(bool resolve_all = false) {
    if (!broker_) {
      wiring::BrokerSettings settings;
      settings.url = "aws";
      settings.aws_prefix = env("DONUT_AWS_PREFIX", settings.aws_prefix);
      settings.aws_manage_resources = manages_aws_resources();
      if (auto arn = env("DONUT_TOPIC_ARN"); !arn.empty()) {
        settings.aws_topic_arns.emplace(domain::kStockEventsTopic, arn);
      }
      if (auto url = env("DONUT_ARRIVALS_QUEUE"); !url.empty()) {
        settings.aws_queue_urls.emplace(app::kStockArrivalsQueue, url);
      }
      DONUT_ASSIGN_OR_RETURN(auto broker, wiring::open_aws_broker(settings, clock_));
      if (resolve_all || manages_aws_resources()) {
        DONUT_RETURN_IF_ERROR(broker->declare(app::pipeline_topology({})));
      }
      broker_ = std::move(broker);
    }
    return broker_.get();
  }

  // The queues of an SQS event by their own (physical) names, as its eventSourceARN gives them:
  // for changing a message's visibility.
  Result<std::shared_ptr<ports::Broker>> event_queues() {
    wiring::BrokerSettings settings;
    settings.url = "aws";
    settings.aws_prefix.clear();
    settings.aws_manage_resources = false;
    DONUT_ASSIGN_OR_RETURN(auto queues, wiring::open_aws_broker(settings, clock_));
    return std::shared_ptr<ports::Broker>(std::move(queues));
  }

  Result<std::unique_ptr<ports::Mailer>> mailer() {
    wiring::MailSettings settings;
    settings.mailer = "ses";
    // The notifier's environments that may run at once share the account's sending rate.
    DONUT_ASSIGN_OR_RETURN(const int64_t senders, int_env("DONUT_MAIL_SENDERS", 1, 1, 1000));
    settings.ses_senders = static_cast<int>(senders);
    return wiring::open_ses_mailer(settings, clock_);
  }

  // A secret setting: from Secrets Manager when `<name>_ARN` is set (as deployed: read once, at
  // init, never in the function's configuration), else `<name>` itself (local runs, tests).
  Result<std::string> secret_setting(const std::string& name) {
    if (auto arn = env((name + "_ARN").c_str()); !arn.empty()) {
      DONUT_ASSIGN_OR_RETURN(auto caller, aws());
      DONUT_ASSIGN_OR_RETURN(auto value, aws::get_secret_string(*caller, arn));
      if (value.empty()) return make_error(ErrorCode::invalid_argument, name + "_ARN is empty");
      return value;
    }
    return required_env(name.c_str());
  }

  const ports::Clock& clock() const { return clock_; }

  // As the database's owner (DONUT_DATABASE_MASTER_SECRET): the migrations, then each role's
  // own user (DONUT_DATABASE_ROLE_SECRETS, {"<role>": "<secret ARN>"}). What was done, as JSON.
  Result<std::string> migrate_and_provision();

 private:
  // Each role's user and password: the one its secret holds, or a new one stored there first
  // (so that a function never reads a password the server does not know yet for long).
  Result<std::vector<mysql::RoleUser>> role_users();
  static bool manages_aws_resources() { return env("DONUT_AWS_MANAGE_RESOURCES") == "1"; }

  Result<std::string> database_url() {
    if (auto url = env("DONUT_DATABASE"); !url.empty()) return url;
    return rds_url("DONUT_DATABASE_SECRET");
  }

  // The RDS database as the user of the secret that `secret_env` names.
  Result<std::string> rds_url(const char* secret_env) {
    DONUT_ASSIGN_OR_RETURN(auto host, required_env("DONUT_DATABASE_HOST"));
    DONUT_ASSIGN_OR_RETURN(auto secret_id, required_env(secret_env));
    DONUT_ASSIGN_OR_RETURN(const std::string ca, rds_ca_file());
    std::string user, password;
    DONUT_RETURN_IF_ERROR(read_credentials(secret_id, user, password));
    return "mysql://" + sigv4::uri_encode(user, false) + ":" + sigv4::uri_encode(password, false) +
           "@" + host + ":" + env("DONUT_DATABASE_PORT", "3306") + "/" +
           env("DONUT_DATABASE_NAME", "donut") + "?ssl-ca=" + sigv4::uri_encode(ca, true);
  }

  // RDS is reached over TLS only, its certificate checked against the RDS CAs the zip carries
  // (scripts/package-lambda): the runtime's own bundle does not hold them. Only the region's
  // (three certificates, not the 120 of every region): the connector parses the file again for
  // each connection it opens, about 0.13 ms of CPU per certificate.
  static Result<std::string> rds_ca_file() {
    if (auto file = env("DONUT_DATABASE_CA"); !file.empty()) return file;
    DONUT_ASSIGN_OR_RETURN(auto region, required_env("AWS_REGION"));
    std::string file = env("LAMBDA_TASK_ROOT", "/var/task") + "/rds-ca/" + region + ".pem";
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
      return make_error(ErrorCode::invalid_argument,
                        "this zip carries no RDS CA bundle for the region '" + region + "' (" +
                            file + "); set DONUT_DATABASE_CA to one");
    }
    return file;
  }

  // The database user and password from Secrets Manager. Read at init and again whenever MySQL
  // refuses them: RDS rotates a managed master secret by itself, and a warm execution
  // environment would otherwise be locked out until it is recycled.
  Status read_database_secret(std::string& user, std::string& password) {
    DONUT_ASSIGN_OR_RETURN(auto secret_id, required_env("DONUT_DATABASE_SECRET"));
    return read_credentials(secret_id, user, password);
  }

  // A secret {"username","password"}; `not_found` when it has no value yet.
  Status read_credentials(const std::string& secret_id, std::string& user, std::string& password) {
    DONUT_ASSIGN_OR_RETURN(auto caller, aws());
    DONUT_ASSIGN_OR_RETURN(auto secret, aws::get_secret_string(*caller, secret_id));
    auto parsed = codec::parse_json(secret);
    const auto* object = parsed ? parsed->if_object() : nullptr;
    const auto* u = object != nullptr ? object->if_contains("username") : nullptr;
    const auto* p = object != nullptr ? object->if_contains("password") : nullptr;
    if (u == nullptr || !u->is_string() || p == nullptr || !p->is_string()) {
      // The secret's value is never echoed.
      return make_error(ErrorCode::invalid_argument,
                        "database secret has no string \"username\" and \"password\"");
    }
    user = u->as_string();
    password = p->as_string();
    return ok();
  }

  clock::SystemClock clock_;
  std::shared_ptr<const aws::AwsCaller> aws_;
  wiring::OpenedStore store_;
  std::unique_ptr<ports::Broker> broker_;
};

Result<std::vector<mysql::RoleUser>> Wiring::role_users() {
  DONUT_ASSIGN_OR_RETURN(auto text, required_env("DONUT_DATABASE_ROLE_SECRETS"));
  auto parsed = codec::parse_json(text);
  const auto* secrets = parsed ? parsed->if_object() : nullptr;
  if (secrets == nullptr) {
    return make_error(ErrorCode::invalid_argument,
                      "DONUT_DATABASE_ROLE_SECRETS is not a JSON object of secret ARNs");
  }
  DONUT_ASSIGN_OR_RETURN(auto caller, aws());
  std::vector<mysql::RoleUser> users;
  for (const auto& grants : mysql::role_grants()) {
    const auto* arn = secrets->if_contains(grants.role);
    if (arn == nullptr || !arn->is_string()) {
      return make_error(ErrorCode::invalid_argument,
                        "DONUT_DATABASE_ROLE_SECRETS has no secret "
                        "for the role '" +
                            std::string(grants.role) + "'");
    }
    const std::string secret_id(arn->get_string());
    const std::string name = mysql::role_user_name(grants.role);
    std::string user, password;
    auto held = read_credentials(secret_id, user, password);
    if (!held && held.error().code != ErrorCode::not_found &&
        held.error().code != ErrorCode::invalid_argument) {
      return held.error();
    }
    if (!held || user != name || password.size() < 32) {
      password = random_hex(32);
      DONUT_RETURN_IF_ERROR(aws::put_secret_string(
          *caller, secret_id,
          boost::json::serialize(boost::json::object{{"username", name}, {"password", password}})));
    }
    users.push_back({std::string(grants.role), std::move(password)});
  }
  return users;
}

Result<std::string> Wiring::migrate_and_provision() {
  DONUT_ASSIGN_OR_RETURN(auto url, rds_url("DONUT_DATABASE_MASTER_SECRET"));
  DONUT_ASSIGN_OR_RETURN(auto settings, mysql::Database::parse_url(url));
  mysql::Database::Options options{settings, 1, {}};
  DONUT_ASSIGN_OR_RETURN(auto migrated, mysql::Database::open(options));  // migrates
  DONUT_ASSIGN_OR_RETURN(auto users, role_users());
  DONUT_ASSIGN_OR_RETURN(auto owner, mysql::Connection::open(settings));
  DONUT_RETURN_IF_ERROR(mysql::provision_role_users(*owner, {settings.database, true}, users));
  boost::json::array roles;
  for (const auto& u : users) roles.emplace_back(mysql::role_user_name(u.role));
  spdlog::info("migrate: the warehouse is at schema version {}; {} role users provisioned",
               migrated->schema_version(), users.size());
  return boost::json::serialize(boost::json::object{{"schema_version", migrated->schema_version()},
                                                    {"users", std::move(roles)}});
}

// Each function is built once per execution environment: its parts live in a shared state
// that the invocation handler owns.

// How long `sales` may spend publishing a stock-out's events after answering.
constexpr Millis kSalesPublishBudget = std::chrono::seconds(2);

// A function: its handler, and what it does after each answer (nothing for most).
struct Function {
  Function(InvocationHandler h) : handle(std::move(h)) {}  // NOLINT: a handler is a function
  InvocationHandler handle;
  AfterResponse after_response;
};

Result<Function> sales_function(Wiring& wiring) {
  struct State {
    std::unique_ptr<app::OutboxRelay> relay;
    std::atomic<bool> restock_opened{false};
    std::unique_ptr<app::OrderService> orders;
    http::Router router;
    InvocationHandler http;
  };
  DONUT_ASSIGN_OR_RETURN(auto* store, wiring.store());
  auto state = std::make_shared<State>();
  if (!env("DONUT_TOPIC_ARN").empty() || env("DONUT_AWS_MANAGE_RESOURCES") == "1") {
    DONUT_ASSIGN_OR_RETURN(auto* broker, wiring.broker());
    state->relay = std::make_unique<app::OutboxRelay>(*store, *broker, std::chrono::minutes(1));
  }
  // One writer: an environment handles one invocation at a time, so there is never a second
  // batch to pipeline.
  state->orders = std::make_unique<app::OrderService>(
      *store,
      app::OrderService::Options{app::OrderService::Strategy::group_commit, 1024, {}, {}, 1},
      [raw = state.get()] { raw->restock_opened = true; });
  DONUT_ASSIGN_OR_RETURN(const int64_t max_quantity,
                         int_env("DONUT_MAX_QUANTITY", 1000, 1, 1'000'000));
  api::add_sales_routes(state->router, *store, *state->orders, {max_quantity});
  api::add_web_routes(state->router);  // the storefront and the console's page
  // The document lists the routes this function serves; API Gateway sends /admin/* and the
  // factory's callback to their own functions.
  DONUT_RETURN_IF_ERROR(api::add_api_description_routes(state->router, api::shop_openapi_document(),
                                                        api::shop_reference_page()));
  state->http = http_api_handler(state->router);
  Function function{[state](const Invocation& invocation) { return state->http(invocation); }};
  // After the customer has the answer: a stock-out's events go out within a short budget, and
  // what does not (SNS slow or refusing) stays in the outbox, its claim given back, for the
  // scheduled relay. The environment is busy meanwhile, so the budget is short.
  function.after_response = [state](const Invocation&) {
    if (!state->restock_opened.exchange(false) || !state->relay) return;
    DeadlineScope budget(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()) +
                         kSalesPublishBudget);
    if (auto published = state->relay->drain(); !published) {
      spdlog::warn("sales: events stay in the outbox for the relay: {}", published.error().message);
    }
  };
  return function;
}

Result<Function> arrivals_intake_function(Wiring& wiring) {
  struct State {
    std::unique_ptr<app::ArrivalIntake> intake;
    http::Router router;
    InvocationHandler http;
  };
  DONUT_ASSIGN_OR_RETURN(auto* broker, wiring.broker());
  DONUT_ASSIGN_OR_RETURN(auto secret, wiring.secret_setting("DONUT_CALLBACK_SECRET"));
  auto state = std::make_shared<State>();
  app::ArrivalIntake::Options options;  // the default clock skew, as the local host's
  options.secret = std::move(secret);
  state->intake = std::make_unique<app::ArrivalIntake>(*broker, wiring.clock(), options);
  api::add_arrival_routes(state->router, *state->intake);
  state->http = http_api_handler(state->router);
  return InvocationHandler(
      [state](const Invocation& invocation) { return state->http(invocation); });
}

// An SQS-triggered function: `state->handler` has `handle(messages, stop)`; the state keeps
// what the handler refers to alive. A message its handler wants retried later is made visible
// again after that delay (ChangeMessageVisibility on its queue, named in the event), so
// backoff works as under `QueueConsumer` instead of waiting out the visibility timeout.
// `message_budget`: the longest one message may take; a message is not started with less than
// that left before the invocation's deadline (it is redelivered instead).
template <class State>
Result<Function> queue_function(Wiring& wiring, std::shared_ptr<State> state,
                                Millis message_budget = std::chrono::seconds(2)) {
  DONUT_ASSIGN_OR_RETURN(auto queues, wiring.event_queues());
  return Function(sqs_handler(
      [state](std::span<const ports::ReceivedMessage> messages, std::stop_token stop) {
        return state->handler->handle(messages, stop);
      },
      [queues](const ports::ReceivedMessage& message, Millis delay) {
        if (auto status = queues->change_visibility(message.source_queue, message.receipt, delay);
            !status) {
          spdlog::warn("{}: message {} returns after the visibility timeout instead: {}",
                       message.source_queue, message.message_id, status.error().message);
        }
      },
      message_budget));
}

// Less than this for a factory call, and it is not made: the factory answers in about a second
// when it is well (the seed's Legacy Factory API is slow).
constexpr Millis kShortestFactoryCall = std::chrono::seconds(3);

Result<Function> restock_function(Wiring& wiring) {
  struct State {
    std::unique_ptr<http_client::HttpFactoryClient> factory;
    std::unique_ptr<app::RestockHandler> handler;
  };
  DONUT_ASSIGN_OR_RETURN(auto* store, wiring.store());
  DONUT_ASSIGN_OR_RETURN(auto factory_url, required_env("DONUT_FACTORY_URL"));
  DONUT_ASSIGN_OR_RETURN(auto callback_url, required_env("DONUT_CALLBACK_URL"));
  // Signs the manufacture requests, so a factory that checks knows they come from the shop.
  DONUT_ASSIGN_OR_RETURN(auto secret, wiring.secret_setting("DONUT_CALLBACK_SECRET"));
  auto state = std::make_shared<State>();
  http_client::HttpFactoryClient::Options factory_options;
  factory_options.base_url = factory_url;
  factory_options.shortest_call = kShortestFactoryCall;
  factory_options.secret = std::move(secret);
  state->factory = std::make_unique<http_client::HttpFactoryClient>(factory_options);
  app::RestockHandler::Options options;
  // The lease owner: this execution environment (its log stream is unique) and the receipt.
  options.worker_id = env("AWS_LAMBDA_LOG_STREAM_NAME", "lambda-" + random_hex(8));
  options.callback_url = callback_url;
  options.factory_id = env("DONUT_FACTORY_ID", options.factory_id);
  state->handler =
      std::make_unique<app::RestockHandler>(*store, *state->factory, wiring.clock(), options);
  // A message is started with time for a factory call worth making and the store's claim and
  // mark around it; its calls are cut to what is left of the invocation.
  return queue_function(wiring, state, kShortestFactoryCall + std::chrono::seconds(2));
}

Result<Function> arrivals_function(Wiring& wiring) {
  DONUT_ASSIGN_OR_RETURN(auto* store, wiring.store());
  struct State {
    std::unique_ptr<app::ArrivalHandler> handler;
  };
  return queue_function(
      wiring, std::make_shared<State>(State{std::make_unique<app::ArrivalHandler>(*store)}));
}

Result<Function> notifier_function(Wiring& wiring) {
  struct State {
    std::unique_ptr<ports::Mailer> mailer;
    std::unique_ptr<app::Notifier> handler;
  };
  DONUT_ASSIGN_OR_RETURN(auto from, required_env("DONUT_MAIL_FROM"));
  DONUT_ASSIGN_OR_RETURN(auto to, required_env("DONUT_MAIL_TO"));
  auto state = std::make_shared<State>();
  DONUT_ASSIGN_OR_RETURN(state->mailer, wiring.mailer());
  state->handler = std::make_unique<app::Notifier>(*state->mailer, app::MailSettings{from, {to}});
  return queue_function(wiring, state);
}

Result<Function> admin_function(Wiring& wiring) {
  struct State {
    http::Router router;
    InvocationHandler http;
  };
  DONUT_ASSIGN_OR_RETURN(auto token, wiring.secret_setting("DONUT_ADMIN_TOKEN"));
  DONUT_ASSIGN_OR_RETURN(auto* store, wiring.store());
  DONUT_ASSIGN_OR_RETURN(auto* broker, wiring.broker(true));
  auto state = std::make_shared<State>();
  api::add_admin_routes(state->router, *store, *broker, token);
  state->http = http_api_handler(state->router);
  return InvocationHandler(
      [state](const Invocation& invocation) { return state->http(invocation); });
}

// The one function that runs as the database's owner (the RDS master): Terraform invokes it at
// every apply (aws_lambda_invocation.migrate), and it is safe to run again.
Result<Function> migrate_function(Wiring& wiring) {
  for (const char* setting :
       {"DONUT_DATABASE_HOST", "DONUT_DATABASE_MASTER_SECRET", "DONUT_DATABASE_ROLE_SECRETS"}) {
    if (auto missing = required_env(setting); !missing) return missing.error();
  }
  return InvocationHandler([&wiring](const Invocation&) { return wiring.migrate_and_provision(); });
}

// The retention windows, in hours, from the variables `donut relay` reads too.
Result<app::RetentionWindows> retention_from_environment() {
  app::RetentionWindows windows;
  for (const auto& setting : app::kRetentionSettings) {
    auto& window = windows.*setting.window;
    const auto fallback = std::chrono::duration_cast<std::chrono::hours>(window).count();
    DONUT_ASSIGN_OR_RETURN(const int64_t hours, int_env(setting.env, fallback, 1, 24 * 3660));
    window = std::chrono::hours(hours);
  }
  DONUT_RETURN_IF_ERROR(app::validate(windows, app::kSqsMinimumArrivalWindow));
  return windows;
}

// Every minute (an EventBridge schedule): publishes what the outbox holds, then prunes what is
// past its retention window with the time the invocation has left (app/pruner.h), as the relay
// process does when self-hosted.
Result<Function> relay_function(Wiring& wiring) {
  DONUT_ASSIGN_OR_RETURN(auto* store, wiring.store());
  DONUT_ASSIGN_OR_RETURN(auto* broker, wiring.broker());
  app::Pruner::Options prune;
  DONUT_ASSIGN_OR_RETURN(prune.windows, retention_from_environment());
  auto relay = std::make_shared<app::OutboxRelay>(*store, *broker, std::chrono::minutes(1));
  auto pruner = std::make_shared<app::Pruner>(*store, wiring.clock(), prune);
  return InvocationHandler([relay, pruner](const Invocation&) -> Result<std::string> {
    DONUT_ASSIGN_OR_RETURN(auto published, relay->drain());
    boost::json::object answer{{"published", published}};
    // Publishing went through: a prune that fails (a lock wait, say) is left to the next run,
    // not made this invocation's failure (which Lambda would retry and alarm on).
    if (auto pruned = pruner->prune_due(); pruned) {
      answer["pruned"] = {{"idempotency_keys", pruned->idempotency_keys},
                          {"published_outbox", pruned->published_outbox},
                          {"timeline_entries", pruned->timeline_entries},
                          {"arrivals", pruned->arrivals},
                          {"cut_short", pruned->cut_short}};
    } else {
      spdlog::warn("relay: pruning left to the next run: {}", pruned.error().message);
      answer["prune_error"] = std::string(to_string(pruned.error().code));
    }
    return boost::json::serialize(answer);
  });
}

}  // namespace

Status run_function(std::string_view function, RuntimeApi& api, int max_invocations) {
  using Make = Result<Function> (*)(Wiring&);
  const std::pair<std::string_view, Make> functions[] = {
      {"sales", sales_function},       {"arrivals_intake", arrivals_intake_function},
      {"restock", restock_function},   {"arrivals", arrivals_function},
      {"notifier", notifier_function}, {"relay", relay_function},
      {"admin", admin_function},       {"migrate", migrate_function}};
  Wiring wiring;  // outlives the handler, which refers to the store and broker it opened
  Result<Function> handler =
      make_error(ErrorCode::invalid_argument,
                 "unknown function '" + std::string(function) +
                     "' (sales, arrivals_intake, restock, arrivals, notifier, relay, admin, "
                     "migrate)");
  for (const auto& [name, make] : functions) {
    if (name == function) handler = make(wiring);
  }
  if (!handler) {
    const std::string message =
        std::string(function) + ": cannot start: " + handler.error().message;
    spdlog::error("{}", message);
    (void)api.init_error(std::string(to_string(handler.error().code)), message);
    return handler.error();
  }
  return run(api, handler->handle, max_invocations, handler->after_response);
}

}  // namespace donut::lambda
