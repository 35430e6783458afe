// The Lambda host against a fake Runtime API over real HTTP: API Gateway events reach the Sales
// API; an SQS batch with one poison message reports only that message as failed; errors go to
// the invocation-error and init-error endpoints.
#include "hosts/lambda/lambda_host.h"

#include <arpa/inet.h>
#include <cstdlib>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/aws/sns_client.h"
#include "adapters/clock/clocks.h"
#include "adapters/http/http_factory_client.h"
#include "adapters/memory/memory_store.h"
#include "api/sales_routes.h"
#include "app/arrivals.h"
#include "app/order_service.h"
#include "codec/events_json.h"
#include "common/deadline.h"
#include "hosts/lambda/events.h"
#include "support/fake_lambda_runtime.h"

namespace donut::lambda {
namespace {

namespace json = boost::json;

std::string http_event(const std::string& method, const std::string& path, const std::string& body,
                       bool base64 = false) {
  json::object http;
  http["method"] = method;
  http["sourceIp"] = "203.0.113.7";
  json::object context;
  context["http"] = std::move(http);
  json::object headers;
  headers["content-type"] = "application/json";
  json::object o;
  o["version"] = "2.0";
  o["rawPath"] = path;
  o["rawQueryString"] = "";
  o["headers"] = std::move(headers);
  o["requestContext"] = std::move(context);
  o["body"] = body;
  o["isBase64Encoded"] = base64;
  return json::serialize(o);
}

std::string sqs_record(const std::string& id, const std::string& body) {
  json::object attributes;
  attributes["ApproximateReceiveCount"] = "1";
  json::object r;
  r["messageId"] = id;
  r["receiptHandle"] = "rh-" + id;
  r["body"] = body;
  r["attributes"] = std::move(attributes);
  r["eventSourceARN"] = "arn:aws:sqs:us-east-1:123456789012:stock-arrivals";
  return json::serialize(r);
}

class LambdaHost : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.upsert_product({"CP-1", "Glazed", 250, 10, 5})); }
  clock::ManualClock clock_;
  memory::MemoryStore store_{clock_};
  testing::FakeLambdaRuntime runtime_;
};

TEST_F(LambdaHost, ApiGatewayEventsReachTheSalesApi) {
  app::OrderService orders(store_, {app::OrderService::Strategy::group_commit, 64, {}, {}});
  http::Router router;
  api::add_sales_routes(router, store_, orders, {100});
  runtime_.push("req-1", http_event("POST", "/v1/orders", R"({"product_id":"CP-1","quantity":3})"));
  runtime_.push("req-2", http_event("GET", "/v1/products/CP-1", ""));
  // {"product_id":"CP-1","quantity":1} in base64
  runtime_.push("req-3", http_event("POST", "/v1/orders",
                                    "eyJwcm9kdWN0X2lkIjoiQ1AtMSIsInF1YW50aXR5IjoxfQ==", true));
  runtime_.push("req-4", R"({"not":"an api gateway event"})");
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(run(api, http_api_handler(router), 4));

  auto first = json::parse(runtime_.response("req-1")).as_object();
  EXPECT_EQ(first.at("statusCode").as_int64(), 201);
  EXPECT_NE(std::string(first.at("body").as_string()).find("\"stock_left\":7"), std::string::npos);
  auto second = json::parse(runtime_.response("req-2")).as_object();
  EXPECT_EQ(second.at("statusCode").as_int64(), 200);
  auto third = json::parse(runtime_.response("req-3")).as_object();
  EXPECT_EQ(third.at("statusCode").as_int64(), 201);
  auto fourth = json::parse(runtime_.response("req-4")).as_object();
  EXPECT_EQ(fourth.at("statusCode").as_int64(), 400);
  EXPECT_EQ(store_.get_product("CP-1")->stock, 6);
}

// API Gateway lets bodies of megabytes through; the functions take what the local server
// takes, and a longer body reaches no route.
TEST_F(LambdaHost, ABodyOverTheLimitIsRefusedBeforeAnyRoute) {
  app::OrderService orders(store_, {app::OrderService::Strategy::group_commit, 64, {}, {}});
  http::Router router;
  api::add_sales_routes(router, store_, orders, {100});
  const std::string order = R"({"product_id":"CP-1","quantity":1})";
  runtime_.push("req-1",
                http_event("POST", "/v1/orders",
                           order.substr(0, order.size() - 1) + std::string(17'000, ' ') + "}"));
  runtime_.push("req-2", http_event("POST", "/v1/orders", order));
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(run(api, http_api_handler(router), 2));

  auto refused = json::parse(runtime_.response("req-1")).as_object();
  EXPECT_EQ(refused.at("statusCode").as_int64(), 413);
  auto sold = json::parse(runtime_.response("req-2")).as_object();
  EXPECT_EQ(sold.at("statusCode").as_int64(), 201);
  EXPECT_EQ(store_.get_product("CP-1")->stock, 9) << "only the order within the limit sold";
}

TEST_F(LambdaHost, OnlyThePoisonMessageOfABatchIsReportedAsFailed) {
  app::ArrivalHandler handler(store_);
  ASSERT_TRUE(store_.upsert_product({"CP-2", "Plain", 200, 10, 5}));
  // An arrival answers a restock: each product sells out, and its restock arrives.
  const auto good = [&](const std::string& product) {
    std::vector<domain::OrderRequest> all{{"order-" + product, product, 10, ""}};
    const std::string restock_id = store_.place_orders(all)->front().restock_id;
    return codec::encode_arrival({restock_id, restock_id, product, 5, "FF", clock_.now()});
  };
  json::array records;
  records.push_back(json::parse(sqs_record("m-1", good("CP-1"))));
  records.push_back(json::parse(sqs_record("m-poison", "{not json")));
  records.push_back(json::parse(sqs_record("m-3", good("CP-2"))));
  json::object event;
  event["Records"] = std::move(records);
  runtime_.push("req-1", json::serialize(event));
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(run(
      api, sqs_handler([&](auto messages, auto stop) { return handler.handle(messages, stop); }),
      1));
  EXPECT_EQ(runtime_.response("req-1"), R"({"batchItemFailures":[{"itemIdentifier":"m-poison"}]})");
  EXPECT_EQ(store_.get_product("CP-1")->stock, 5);
  EXPECT_EQ(store_.get_product("CP-2")->stock, 5);
}

TEST_F(LambdaHost, ABatchNearItsDeadlineLeavesTheRestForRedelivery) {
  // Each message takes 400 ms and needs a 500 ms budget; the invocation has 1 s after the
  // answer's margin: the first two are handled, the last two are left for redelivery instead of
  // the whole batch timing out.
  json::array records;
  for (const char* id : {"m-1", "m-2", "m-3", "m-4"})
    records.push_back(json::parse(sqs_record(id, "{}")));
  json::object event;
  event["Records"] = std::move(records);
  runtime_.push("req-1", json::serialize(event), 1000 + kAnswerMargin.count());
  std::vector<std::string> handled;
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(run(api,
                  sqs_handler(
                      [&](std::span<const ports::ReceivedMessage> messages, std::stop_token) {
                        for (const auto& m : messages) handled.push_back(m.message_id);
                        std::this_thread::sleep_for(std::chrono::milliseconds(400));
                        return std::vector<app::MessageResult>(messages.size());
                      },
                      {}, std::chrono::milliseconds(500)),
                  1));
  EXPECT_EQ(handled, (std::vector<std::string>{"m-1", "m-2"}));
  EXPECT_EQ(runtime_.response("req-1"),
            R"({"batchItemFailures":[{"itemIdentifier":"m-3"},{"itemIdentifier":"m-4"}]})");
}

// A server that accepts connections and never answers: a service hanging past any deadline.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);  // the kernel completes the handshakes; nobody reads
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  unsigned port_ = 0;
};

// Remote calls made while an invocation is handled are cut to what is left of it: an SNS publish
// that would wait 10 s per attempt over 4 attempts, and a factory call of 10 s twice, end before
// the invocation's deadline, as `timeout`, and the function answers in time.
TEST_F(LambdaHost, RemoteCallsEndBeforeTheInvocationsDeadline) {
  SilentServer silent;
  aws::AwsConfig config;
  config.credentials = {"AKIDEXAMPLE", "secret", ""};
  config.endpoint = silent.url();
  config.timeout = std::chrono::seconds(10);
  clock::SystemClock system_clock;
  aws::AwsCaller caller(config, system_clock);
  http_client::HttpFactoryClient factory({silent.url(), std::chrono::seconds(10)});
  const auto deadline_ms = 3000 + kAnswerMargin.count();
  runtime_.push("sns", R"({})", deadline_ms);
  runtime_.push("factory", R"({})", deadline_ms);
  RuntimeApi api(runtime_.host_port());
  std::vector<Error> errors;
  std::vector<Millis> took;
  ASSERT_TRUE(run(
      api,
      [&](const Invocation& invocation) -> Result<std::string> {
        const auto started = std::chrono::steady_clock::now();
        if (invocation.request_id == "sns") {
          auto published = aws::SnsClient(caller).publish("arn:aws:sns:us-east-1:1:t", "m", {});
          errors.push_back(published ? Error{} : published.error());
        } else {
          auto accepted = factory.request_manufacture({});
          errors.push_back(accepted ? Error{} : accepted.error());
        }
        took.push_back(
            std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started));
        return std::string("{}");
      },
      2));
  ASSERT_EQ(errors.size(), 2u);
  for (std::size_t i = 0; i < errors.size(); ++i) {
    EXPECT_EQ(errors[i].code, ErrorCode::timeout) << errors[i].message;
    EXPECT_LT(took[i], Millis(deadline_ms)) << "call " << i << " outlived its invocation";
  }
  EXPECT_EQ(runtime_.response("sns"), "{}");
  EXPECT_EQ(runtime_.response("factory"), "{}");
}

// Work after the answer (sales publishing a stock-out's events) does not delay it.
TEST_F(LambdaHost, WorkAfterTheAnswerRunsOnceTheAnswerIsSent) {
  runtime_.push("req-1", R"({})");
  RuntimeApi api(runtime_.host_port());
  std::string answered_before_the_work;
  bool under_a_deadline = false;
  ASSERT_TRUE(run(
      api, [](const Invocation&) -> Result<std::string> { return std::string("{\"ok\":1}"); }, 1,
      [&](const Invocation&) {
        answered_before_the_work = runtime_.response("req-1");
        under_a_deadline = current_deadline().has_value();
      }));
  EXPECT_EQ(answered_before_the_work, "{\"ok\":1}");
  EXPECT_TRUE(under_a_deadline) << "the invocation's deadline still bounds it";
}

TEST_F(LambdaHost, TheTraceIdIsExportedForTheInvocation) {
  ::unsetenv("_X_AMZN_TRACE_ID");
  runtime_.push("req-1", R"({"Records":[]})");
  std::string seen;
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(run(
      api,
      [&](const Invocation& invocation) -> Result<std::string> {
        const char* env = std::getenv("_X_AMZN_TRACE_ID");
        seen = env ? env : "";
        EXPECT_EQ(seen, invocation.trace_id);
        return std::string("{}");
      },
      1));
  EXPECT_EQ(seen, "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
}

TEST_F(LambdaHost, ErrorsGoToTheErrorEndpoints) {
  runtime_.push("req-1", R"({"no":"records"})");
  RuntimeApi api(runtime_.host_port());
  ASSERT_TRUE(
      run(api, sqs_handler([](auto, auto) { return std::vector<app::MessageResult>{}; }), 1));
  EXPECT_TRUE(runtime_.response("req-1").empty());
  EXPECT_NE(runtime_.error("req-1").find("\"errorType\":\"invalid_argument\""), std::string::npos);
  ASSERT_TRUE(api.init_error("config", "DONUT_DATABASE is not set"));
  EXPECT_NE(runtime_.error("init").find("DONUT_DATABASE is not set"), std::string::npos);
}

}  // namespace
}  // namespace donut::lambda
