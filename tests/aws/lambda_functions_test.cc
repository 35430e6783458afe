// The six Lambda functions in-process, each serving its own fake Runtime API, wired from the
// environment as deploy/aws/functions.tf sets it, but with the emulators behind it: fauxqs for
// SNS/SQS, aws-ses-v2-local for SES, a SQLite file for the warehouse. The test plays the parts
// AWS plays between functions: it moves messages from the queues into SQS events (the event
// source mappings), and a small stand-in for API Gateway turns the factory's HTTP callback into
// an API Gateway event for `arrivals_intake`.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/aws/aws_broker.h"
#include "adapters/clock/clocks.h"
#include "adapters/http/http_client.h"
#include "app/topology.h"
#include "codec/events_json.h"
#include "common/ids.h"
#include "factory/simulator.h"
#include "hosts/lambda/functions.h"
#include "hosts/local/local_system.h"
#include "http/router.h"
#include "http/server.h"
#include "support/fake_lambda_runtime.h"
#include "support/scripted_aws.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"

namespace donut {
namespace {

namespace json = boost::json;
using testing::FauxqsServer;
using testing::SesServer;

const bool kFauxqs = testing::use_server<testing::FauxqsServer>();
const bool kSes = testing::use_server<testing::SesServer>();

// One function in its execution environment: a thread running the Runtime API loop.
class Function {
 public:
  explicit Function(std::string name) : name_(std::move(name)) {
    thread_ = std::thread([this] {
      lambda::RuntimeApi api(runtime_.host_port());
      status_ = lambda::run_function(name_, api);
    });
  }
  ~Function() {
    runtime_.close();  // `next` fails, the loop ends
    thread_.join();
  }
  json::value invoke(const std::string& event) {
    const std::string id = name_ + "-" + std::to_string(++invocations_);
    runtime_.push(id, event);
    auto answer = runtime_.wait_for(id);
    EXPECT_FALSE(answer.empty()) << name_ << " did not answer " << id;
    boost::system::error_code ec;
    auto value = json::parse(answer, ec);
    return ec ? json::value(answer) : value;
  }
  testing::FakeLambdaRuntime& runtime() { return runtime_; }

 private:
  std::string name_;
  testing::FakeLambdaRuntime runtime_;
  int invocations_ = 0;
  Status status_;
  std::thread thread_;
};

std::string http_event(const std::string& method, const std::string& path, const std::string& query,
                       const json::object& headers, const std::string& body) {
  return json::serialize(json::object{
      {"version", "2.0"},
      {"rawPath", path},
      {"rawQueryString", query},
      {"headers", headers},
      {"requestContext", {{"http", {{"method", method}, {"sourceIp", "203.0.113.7"}}}}},
      {"body", body},
      {"isBase64Encoded", false}});
}

std::string order_event(const std::string& product, int quantity) {
  return http_event("POST", "/v1/orders", "", {{"content-type", "application/json"}},
                    json::serialize(json::object{{"product_id", product}, {"quantity", quantity}}));
}

// What an SQS event source mapping hands a function.
std::string sqs_event(const std::vector<ports::ReceivedMessage>& messages,
                      const std::string& physical_queue) {
  json::array records;
  for (const auto& m : messages) {
    json::object attributes;
    for (const auto& [name, value] : m.attributes) {
      attributes[name] = json::object{{"stringValue", value}, {"dataType", "String"}};
    }
    records.push_back(
        json::object{{"messageId", m.message_id},
                     {"receiptHandle", m.receipt},
                     {"body", m.body},
                     {"attributes", {{"ApproximateReceiveCount", std::to_string(m.receive_count)}}},
                     {"messageAttributes", std::move(attributes)},
                     {"eventSource", "aws:sqs"},
                     {"eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:" + physical_queue}});
  }
  return json::serialize(json::object{{"Records", std::move(records)}});
}

class LambdaFunctions : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = "l" + random_hex(4) + "-";
    mail_to_ = "ops-" + prefix_ + "@example.com";
    // API Gateway's part for the factory's callback, and the factory simulator calling it back.
    gateway_ = std::make_unique<http::Server>(
        server_options(), [this](http::Request&& request, http::Respond respond) {
          json::object headers;
          for (const auto& [name, value] : request.headers) headers[name] = value;
          auto answer = intake().invoke(
              http_event(request.method, request.path, request.query, headers, request.body));
          http::Response response;
          response.status = static_cast<int>(answer.at("statusCode").to_number<int64_t>());
          response.body = std::string(answer.at("body").as_string());
          respond(std::move(response));
        });
    ASSERT_TRUE(gateway_->start());
    factory::FactorySimulator::Options options;
    options.secret = "callback-secret";
    options.callback_url = gateway_->base_url() + "/v1/stock-arrivals";
    options.settings.manufacture_delay = Millis(50);
    factory_ = std::make_unique<factory::FactorySimulator>(clock_, options);
    factory_->add_routes(factory_router_);
    factory_server_ = std::make_unique<http::Server>(server_options(), factory_router_.handler());
    ASSERT_TRUE(factory_server_->start());

    const std::pair<const char*, std::string> environment[] = {
        // Temporary credentials, as Lambda gives them (scripts/test-server's gate knows them).
        {"AWS_ACCESS_KEY_ID", "ASIAEXAMPLETEMPORARY"},
        {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYTEMPORARY"},
        {"AWS_SESSION_TOKEN", "example-session-token"},
        {"AWS_REGION", "us-east-1"},
        {"AWS_ENDPOINT_URL_SQS", FauxqsServer::url()},
        {"AWS_ENDPOINT_URL_SNS", FauxqsServer::url()},
        {"AWS_ENDPOINT_URL_SESV2", SesServer::url()},
        {"DONUT_AWS_MANAGE_RESOURCES", "1"},
        {"DONUT_AWS_PREFIX", prefix_},
        {"DONUT_DATABASE", (dir_.path() / "warehouse.db").string()},
        {"DONUT_FACTORY_URL", factory_server_->base_url()},
        {"DONUT_CALLBACK_URL", gateway_->base_url() + "/v1/stock-arrivals"},
        {"DONUT_CALLBACK_SECRET", "callback-secret"},
        {"DONUT_MAIL_FROM", "shop@example.com"},
        {"DONUT_MAIL_TO", mail_to_},
        {"DONUT_ADMIN_TOKEN", "admin-token"},
        {"DONUT_LOG_LEVEL", "warn"}};
    for (const auto& [name, value] : environment) ::setenv(name, value.c_str(), 1);

    wiring::StoreSettings settings_of_the_store;
    settings_of_the_store.database = (dir_.path() / "warehouse.db").string();
    auto store = wiring::open_store(settings_of_the_store, clock_);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    aws::AwsBrokerSettings settings;
    settings.name_prefix = prefix_;
    broker_ = std::make_unique<aws::AwsBroker>(
        std::make_shared<aws::AwsCaller>(*aws::AwsConfig::from_environment(), clock_), settings);
    ASSERT_TRUE(broker_->declare(app::pipeline_topology({})));
  }
  void TearDown() override {
    functions_.clear();
    gateway_->stop();
    factory_->stop();
    factory_server_->stop();
  }

  static http::Server::Options server_options() {
    http::Server::Options options;
    options.port = 0;
    options.threads = 2;
    return options;
  }
  Function& function(const std::string& name) {
    auto& slot = functions_[name];
    if (!slot) slot = std::make_unique<Function>(name);
    return *slot;
  }
  Function& intake() { return function("arrivals_intake"); }

  // Waits for messages on a queue, as an event source mapping polls.
  std::vector<ports::ReceivedMessage> poll(const std::string& queue, std::size_t at_least) {
    std::vector<ports::ReceivedMessage> got;
    for (int i = 0; i < 20 && got.size() < at_least; ++i) {
      ports::ReceiveOptions options;
      options.wait = Millis(1000);
      auto batch = broker_->receive(queue, options, {});
      if (batch) got.insert(got.end(), batch->begin(), batch->end());
    }
    return got;
  }
  // The event source mapping deletes what the function did not report as failed.
  void acknowledge(const std::string& queue, const std::vector<ports::ReceivedMessage>& done) {
    for (const auto& m : done) ASSERT_TRUE(broker_->delete_message(queue, m.receipt));
  }
  int64_t stock(const std::string& id) { return store_.store->get_product(id)->stock; }
  std::vector<std::string> mail_subjects() {
    std::vector<std::string> subjects;
    auto store = http_client::get(SesServer::emulator_url() + "/store");
    if (!store) return subjects;
    const auto stored = json::parse(store->body);
    for (const auto& e : stored.at("emails").as_array()) {
      const auto& to = e.at("destination").at("to").as_array();
      if (!to.empty() && to[0].as_string() == mail_to_) {
        subjects.emplace_back(e.at("subject").as_string());
      }
    }
    return subjects;
  }

  clock::SystemClock clock_;
  testing::TempDir dir_;
  std::string prefix_, mail_to_;
  http::Router factory_router_;
  std::unique_ptr<factory::FactorySimulator> factory_;
  std::unique_ptr<http::Server> factory_server_;
  std::unique_ptr<http::Server> gateway_;
  wiring::OpenedStore store_;
  std::unique_ptr<aws::AwsBroker> broker_;
  std::map<std::string, std::unique_ptr<Function>> functions_;
};

TEST_F(LambdaFunctions, TheSeedsStoryThroughEveryFunction) {
  ASSERT_TRUE(store_.store->upsert_product({"CP-502101", "Chocolate Glazed", 250, 2, 10}));
  auto sold = function("sales").invoke(order_event("CP-502101", 2));
  EXPECT_EQ(sold.at("statusCode").as_int64(), 201) << sold;
  auto refused = function("sales").invoke(order_event("CP-502101", 1));
  ASSERT_EQ(refused.at("statusCode").as_int64(), 409) << refused;

  // The sales function published the stock-out at once: SNS -> factory-requests.
  auto requests = poll("factory-requests", 1);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].attributes.at("type"), "stock.empty");
  auto restocked = function("restock").invoke(sqs_event(requests, prefix_ + "factory-requests"));
  EXPECT_EQ(restocked, json::parse(R"({"batchItemFailures":[]})"));
  acknowledge("factory-requests", requests);
  EXPECT_EQ(factory_->stats().accepted, 1);

  // The factory calls back through "API Gateway" -> arrivals_intake -> stock-arrivals.
  auto arrivals = poll("stock-arrivals", 1);
  ASSERT_EQ(arrivals.size(), 1u) << "the signed callback was accepted and queued";
  EXPECT_EQ(stock("CP-502101"), 0) << "nothing touches stock on the callback's path";
  const auto event = sqs_event(arrivals, prefix_ + "stock-arrivals");
  EXPECT_EQ(function("arrivals").invoke(event), json::parse(R"({"batchItemFailures":[]})"));
  EXPECT_EQ(stock("CP-502101"), 10);
  EXPECT_EQ(function("arrivals").invoke(event), json::parse(R"({"batchItemFailures":[]})"));
  EXPECT_EQ(stock("CP-502101"), 10) << "a redelivered arrival changes nothing";
  acknowledge("stock-arrivals", arrivals);
  EXPECT_EQ(function("sales").invoke(order_event("CP-502101", 3)).at("statusCode").as_int64(), 201);

  // The scheduled relay publishes what the workers committed (restock requested, arrived).
  auto relayed =
      function("relay").invoke(R"({"source":"aws.events","detail-type":"Scheduled Event"})");
  EXPECT_GE(relayed.at("published").as_int64(), 2) << relayed;
  auto notifications = poll("notifications", 3);
  ASSERT_EQ(notifications.size(), 3u);
  EXPECT_EQ(function("notifier").invoke(sqs_event(notifications, prefix_ + "notifications")),
            json::parse(R"({"batchItemFailures":[]})"));
  auto subjects = mail_subjects();
  ASSERT_EQ(subjects.size(), 3u);
  auto mentions = [&](const std::string& fragment) {
    return std::any_of(subjects.begin(), subjects.end(),
                       [&](const auto& s) { return s.find(fragment) != std::string::npos; });
  };
  EXPECT_TRUE(mentions("CP-502101 is out of stock"));
  EXPECT_TRUE(mentions("restock of CP-502101 requested"));
  EXPECT_TRUE(mentions("10 x CP-502101 arrived"));
}

TEST_F(LambdaFunctions, ForgedCallbacksAreRefusedAtTheIntake) {
  auto forged = intake().invoke(
      http_event("POST", "/v1/stock-arrivals", "restock_id=r1",
                 {{"content-type", "application/json"},
                  {"x-factory-timestamp", "1764000000"},
                  {"x-factory-signature", "0000"}},
                 R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductQuantity":5})"));
  EXPECT_EQ(forged.at("statusCode").as_int64(), 401) << forged;
  EXPECT_EQ(broker_->stats("stock-arrivals")->visible, 0);
}

TEST_F(LambdaFunctions, APoisonMessageIsTheOnlyFailureOfItsBatch) {
  // An arrival answers a restock: each product sells out, and its restock arrives.
  auto arrival = [&](const std::string& product) {
    EXPECT_TRUE(store_.store->upsert_product({product, "Glazed", 250, 1, 5}));
    std::vector<domain::OrderRequest> last{{new_id(), product, 1, ""}};
    const std::string restock_id = store_.store->place_orders(last)->front().restock_id;
    return codec::encode_arrival({restock_id, restock_id, product, 5, "FF-500293", clock_.now()});
  };
  std::vector<ports::ReceivedMessage> batch{{"m-1", "r-1", arrival("CP-7"), {}, 1, {}, ""},
                                            {"m-poison", "r-2", "{not json", {}, 1, {}, ""},
                                            {"m-3", "r-3", arrival("CP-9"), {}, 1, {}, ""}};
  auto answer = function("arrivals").invoke(sqs_event(batch, prefix_ + "stock-arrivals"));
  EXPECT_EQ(answer, json::parse(R"({"batchItemFailures":[{"itemIdentifier":"m-poison"}]})"));
  EXPECT_EQ(stock("CP-7") + stock("CP-9"), 10) << "the two good arrivals were applied";
}

TEST_F(LambdaFunctions, AFailedMessageReturnsAfterItsBackoffNotAfterTheVisibilityTimeout) {
  ASSERT_TRUE(store_.store->upsert_product({"CP-5", "Cruller", 250, 1, 5}));
  factory_->configure({Millis(50), 0.0, true, Millis(0)});  // outage
  ASSERT_EQ(function("sales").invoke(order_event("CP-5", 1)).at("statusCode").as_int64(), 201);
  auto requests = poll("factory-requests", 1);
  ASSERT_EQ(requests.size(), 1u);
  auto answer = function("restock").invoke(sqs_event(requests, prefix_ + "factory-requests"));
  EXPECT_EQ(answer, json::parse(R"({"batchItemFailures":[{"itemIdentifier":")" +
                                requests[0].message_id + R"("}]})"));
  const auto failed_at = std::chrono::steady_clock::now();
  auto again = poll("factory-requests", 1);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  EXPECT_LT(std::chrono::steady_clock::now() - failed_at, std::chrono::seconds(15))
      << "back after the restock handler's backoff, not the 30 s visibility timeout";
}

TEST_F(LambdaFunctions, AdminSetsStockAndRedrivesDeadLetters) {
  ASSERT_TRUE(store_.store->upsert_product({"CP-8", "Cruller", 250, 0, 5}));
  const json::object bearer{{"content-type", "application/json"},
                            {"authorization", "Bearer admin-token"}};
  auto& admin = function("admin");
  auto refused =
      admin.invoke(http_event("PUT", "/admin/products/CP-8/stock", "",
                              {{"content-type", "application/json"}}, R"({"stock":40})"));
  EXPECT_EQ(refused.at("statusCode").as_int64(), 401) << refused;
  auto set =
      admin.invoke(http_event("PUT", "/admin/products/CP-8/stock", "", bearer, R"({"stock":40})"));
  EXPECT_EQ(set.at("statusCode").as_int64(), 200) << set;
  EXPECT_EQ(stock("CP-8"), 40);

  ASSERT_TRUE(broker_->send("factory-requests-dlq", {"{}", {{"type", "stock.empty"}}, Millis(0)}));
  auto redriven = admin.invoke(
      http_event("POST", "/admin/queues/factory-requests-dlq/redrive", "", bearer, ""));
  EXPECT_EQ(redriven.at("statusCode").as_int64(), 200) << redriven;
  EXPECT_EQ(poll("factory-requests", 1).size(), 1u) << "back on its source queue";
}

TEST_F(LambdaFunctions, DatabaseCredentialsComeFromSecretsManagerAndAreNeverEchoed) {
  testing::ScriptedAws secrets;
  secrets.reply(200, R"({"SecretString":"{\"username\":\"donut\",\"password\":\"p@ss:w/rd\"}"})");
  ::setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.url().c_str(), 1);
  ::unsetenv("DONUT_DATABASE");
  ::setenv("DONUT_DATABASE_HOST", "127.0.0.1", 1);
  ::setenv("DONUT_DATABASE_PORT", "1", 1);  // nothing listens: the connection is refused
  ::setenv("DONUT_DATABASE_SECRET", "arn:aws:secretsmanager:us-east-1:1:secret:db", 1);
  // The zip's layout: the RDS CAs of each region in rds-ca/ (scripts/package-lambda).
  std::filesystem::create_directories(dir_.path() / "task" / "rds-ca");
  std::ofstream(dir_.path() / "task" / "rds-ca" / "us-east-1.pem") << "(the region's CAs)\n";
  ::setenv("LAMBDA_TASK_ROOT", (dir_.path() / "task").c_str(), 1);
  Function sales("sales");
  const auto error = sales.runtime().wait_for("init");
  EXPECT_NE(error.find("cannot connect to MySQL at 127.0.0.1:1"), std::string::npos) << error;
  EXPECT_EQ(error.find("p@ss"), std::string::npos) << "the password never leaves the process";
  ASSERT_EQ(secrets.requests().size(), 1u);
  EXPECT_EQ(json::parse(secrets.requests()[0].body).at("SecretId").as_string(),
            "arn:aws:secretsmanager:us-east-1:1:secret:db");

  // In a region whose CAs the zip does not carry, init says so before it asks for the secret.
  ::setenv("AWS_REGION", "xx-nowhere-1", 1);
  Function elsewhere("sales");
  const auto refused = elsewhere.runtime().wait_for("init");
  EXPECT_NE(refused.find("no RDS CA bundle for the region 'xx-nowhere-1'"), std::string::npos)
      << refused;
  EXPECT_NE(refused.find("rds-ca/xx-nowhere-1.pem"), std::string::npos) << refused;
  EXPECT_EQ(secrets.requests().size(), 1u) << "no second call to Secrets Manager";
  ::setenv("AWS_REGION", "us-east-1", 1);
  for (const char* name : {"AWS_ENDPOINT_URL_SECRETS_MANAGER", "DONUT_DATABASE_HOST",
                           "DONUT_DATABASE_PORT", "DONUT_DATABASE_SECRET", "LAMBDA_TASK_ROOT"}) {
    ::unsetenv(name);
  }
}

TEST_F(LambdaFunctions, TheCallbackSecretAndAdminTokenComeFromSecretsManager) {
  testing::ScriptedAws secrets;
  secrets.reply(200, R"({"SecretString":"token-from-secrets-manager"})");
  ::setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", secrets.url().c_str(), 1);
  ::unsetenv("DONUT_ADMIN_TOKEN");
  ::setenv("DONUT_ADMIN_TOKEN_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:admin", 1);
  Function admin("admin");
  const auto with = [](std::string token) {
    json::object headers;
    headers["authorization"] = "Bearer " + token;
    return headers;
  };
  auto refused = admin.invoke(http_event("GET", "/admin/stats", "", with("admin-token"), ""));
  EXPECT_EQ(refused.at("statusCode").as_int64(), 401) << "the environment's token is not used";
  auto allowed =
      admin.invoke(http_event("GET", "/admin/stats", "", with("token-from-secrets-manager"), ""));
  EXPECT_EQ(allowed.at("statusCode").as_int64(), 200) << allowed;
  ASSERT_EQ(secrets.requests().size(), 1u) << "read once, at init";
  EXPECT_EQ(json::parse(secrets.requests()[0].body).at("SecretId").as_string(),
            "arn:aws:secretsmanager:us-east-1:1:secret:admin");
  ::unsetenv("DONUT_ADMIN_TOKEN_ARN");
  ::unsetenv("AWS_ENDPOINT_URL_SECRETS_MANAGER");
  ::setenv("DONUT_ADMIN_TOKEN", "admin-token", 1);
}

// The scheduled relay also prunes: idempotency keys past their window (24 hours) go, the
// orders stay; an arrivals window a message could outlive on SQS is an init error.
TEST_F(LambdaFunctions, TheScheduledRelayPrunesWhatIsPastItsWindow) {
  ASSERT_TRUE(store_.store->upsert_product({"CP-502104", "Maple Bar", 250, 100, 10}));
  {
    clock::ManualClock two_days_ago(clock_.now() - std::chrono::hours(48));
    wiring::StoreSettings settings;
    settings.database = (dir_.path() / "warehouse.db").string();
    auto then = wiring::open_store(settings, two_days_ago);
    ASSERT_TRUE(then) << then.error().message;
    for (int i = 0; i < 3; ++i) {
      std::vector<domain::OrderRequest> keyed{
          {new_id(), "CP-502104", 1, "retry-" + std::to_string(i)}};
      ASSERT_TRUE(then->store->place_orders(keyed));
    }
  }
  const char* scheduled = R"({"source":"aws.events","detail-type":"Scheduled Event"})";
  auto relayed = function("relay").invoke(scheduled);
  ASSERT_TRUE(relayed.is_object()) << relayed;
  EXPECT_EQ(relayed.at("pruned").at("idempotency_keys").as_int64(), 3) << relayed;
  EXPECT_FALSE(relayed.at("pruned").at("cut_short").as_bool());
  EXPECT_EQ(function("relay").invoke(scheduled).at("pruned").at("idempotency_keys").as_int64(), 0);
  auto stats = store_.store->stats();
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->products.size(), 1u);
  EXPECT_EQ(stats->products[0].orders, 3) << "the orders and their figures stay";

  ::setenv("DONUT_KEEP_ARRIVALS_HOURS", "400", 1);  // 16.7 days: enough for RabbitMQ, not SQS
  Function relay("relay");
  relay.runtime().push("never", scheduled);
  EXPECT_NE(relay.runtime().wait_for("init").find("arrivals must be kept at least 23 days"),
            std::string::npos);
  ::unsetenv("DONUT_KEEP_ARRIVALS_HOURS");
}

TEST_F(LambdaFunctions, IncompleteConfigurationIsAnInitError) {
  ::unsetenv("DONUT_FACTORY_URL");
  {
    Function restock("restock");
    restock.runtime().push("never", "{}");
    EXPECT_NE(restock.runtime().wait_for("init").find("DONUT_FACTORY_URL is not set"),
              std::string::npos);
  }
  Function unknown("bakery");
  EXPECT_NE(unknown.runtime().wait_for("init").find("unknown function 'bakery'"),
            std::string::npos);
}

}  // namespace
}  // namespace donut
