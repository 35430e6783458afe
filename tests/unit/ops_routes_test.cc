// The operations routes as an anonymous caller meets them, on the public listener and on the
// probe listener: /readyz says ready or not and nothing about the engines behind it (the reason
// goes to the log), and /metrics can be put behind the admin token.
#include "api/ops_routes.h"

#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "api/health_routes.h"

namespace donut::api {
namespace {

// A broker whose server cannot be reached, with the kind of detail an engine reports.
class UnreachableBroker : public memory::MemoryBroker {
 public:
  using MemoryBroker::MemoryBroker;
  Status ping() override {
    return make_error(ErrorCode::unavailable,
                      "amqp://donut@rabbitmq.internal:5672: connection refused (errno 111)");
  }
};

http::Response get(const http::Router& router, std::string path, http::Headers headers = {}) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  request.headers = std::move(headers);
  http::Response answer;
  router.dispatch(std::move(request), [&](http::Response r) { answer = std::move(r); });
  return answer;
}

// What the default logger writes while it lives.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

class OpsRoutes : public ::testing::Test {
 protected:
  clock::ManualClock clock_;
  memory::MemoryStore store_{clock_};
  UnreachableBroker broker_{clock_};
  http::HttpMetrics metrics_{std::make_shared<prometheus::Registry>()};
};

TEST_F(OpsRoutes, ReadyzTellsAnAnonymousCallerNothingInternal) {
  CapturedLog log;
  http::Router router;
  add_ops_routes(router, store_, metrics_, &broker_);
  const auto answer = get(router, "/readyz");
  const std::string captured = log.text();

  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.body, R"({"error":{"code":"unavailable","message":"not ready"}})");
  EXPECT_EQ(answer.body.find("rabbitmq.internal"), std::string::npos);
  EXPECT_NE(captured.find("rabbitmq.internal:5672: connection refused"), std::string::npos)
      << "the operator finds the reason in the log: " << captured;

  http::Router healthy;
  add_ops_routes(healthy, store_, metrics_);
  EXPECT_EQ(get(healthy, "/readyz").body, R"({"status":"ready"})");
}

TEST_F(OpsRoutes, MetricsAreOpenByDefaultOrBehindTheAdminToken) {
  http::Router open;
  add_ops_routes(open, store_, metrics_);
  EXPECT_EQ(get(open, "/metrics").status, 200);

  const std::string token = "admin-token";
  http::Router guarded;
  add_ops_routes(guarded, store_, metrics_, nullptr, &token);
  EXPECT_EQ(get(guarded, "/metrics").status, 401);
  EXPECT_EQ(get(guarded, "/metrics", {{"authorization", "Bearer guess"}}).status, 401);
  const auto scraped = get(guarded, "/metrics", {{"authorization", "Bearer admin-token"}});
  EXPECT_EQ(scraped.status, 200);
  EXPECT_EQ(scraped.content_type, "text/plain; version=0.0.4");
}

// The probe listener (--health-port) answers as the public routes do: /readyz says "not ready"
// and logs why; /healthz names the stuck loop (the process's own words, no engine's); /metrics
// follows --metrics-access.
TEST_F(OpsRoutes, TheProbeListenerTellsWhatIsStuckButNothingOfAnEngine) {
  CapturedLog log;
  http::Router probes;
  const std::string token = "admin-token";
  HealthChecks checks{
      [] {
        return Status(make_error(ErrorCode::unavailable,
                                 "factory-requests consumer has not completed a pass in 200 s"));
      },
      [this] { return broker_.ping(); }};
  add_health_routes(probes, checks, metrics_, &token);
  const auto ready = get(probes, "/readyz");
  const auto alive = get(probes, "/healthz");
  const std::string captured = log.text();

  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.body, R"({"error":{"code":"unavailable","message":"not ready"}})");
  EXPECT_NE(captured.find("rabbitmq.internal:5672: connection refused"), std::string::npos)
      << "the operator finds the reason in the log: " << captured;
  EXPECT_EQ(alive.status, 503);
  EXPECT_EQ(alive.body,
            R"({"error":{"code":"unavailable","message":"factory-requests consumer has not )"
            R"(completed a pass in 200 s"}})");
  EXPECT_EQ(get(probes, "/metrics").status, 401);
  EXPECT_EQ(get(probes, "/metrics", {{"authorization", "Bearer admin-token"}}).status, 200);

  http::Router healthy;
  add_health_routes(healthy, {[] { return ok(); }, [] { return ok(); }}, metrics_);
  EXPECT_EQ(get(healthy, "/readyz").body, R"({"status":"ready"})");
  EXPECT_EQ(get(healthy, "/healthz").body, R"({"status":"ok"})");
  EXPECT_EQ(get(healthy, "/metrics").status, 200);
}

}  // namespace
}  // namespace donut::api
