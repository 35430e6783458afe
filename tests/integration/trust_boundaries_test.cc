// The shop's doors tried by callers who are not friendly (docs/SECURITY.md names each test):
// made-up ids and paths by the thousand against the metrics, callbacks replayed with other URL
// parameters, naming no request or a request the shop never made (held), the factory
// simulator's doors without the shop's token or signature. Every case runs the whole local system
// over HTTP on loopback.
#include <atomic>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "factory/simulator.h"
#include "http/router.h"
#include "http/server.h"
#include "support/raw_http.h"
#include "support/test_system.h"

namespace donut {
namespace {

using testing::eventually;
using testing::post_order;

class TrustBoundaries : public testing::LocalSystemTest {
 protected:
  // Sells out CP-A (restocks 5) and CP-B (restocks 9); their restock ids.
  std::pair<std::string, std::string> sell_out_two_products() {
    add_product("CP-A", 1, 5);
    add_product("CP-B", 1, 9);
    return {testing::json_string(post_order(url_, "CP-A", 1).json, "restock_id"),
            testing::json_string(post_order(url_, "CP-B", 1).json, "restock_id")};
  }
  // Starts without the restock worker (the test is the factory) and sells out CP-A (restocks 5):
  // its restock stays open; its id.
  std::string start_with_an_open_restock() {
    auto config = testing::fast_config(dir_);
    config.roles.restock = false;
    start(std::move(config));
    add_product("CP-A", 1, 5);
    return testing::json_string(post_order(url_, "CP-A", 1).json, "restock_id");
  }
};

// The series of a scrape: every sample line, without its value.
std::set<std::string> series_of(const std::string& scrape) {
  std::set<std::string> series;
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    series.insert(line.substr(0, line.rfind(' ')));
  }
  return series;
}

// Runs `request(i)` for i in [0, n) on a few client threads.
void in_parallel(int n, const std::function<void(int)>& request) {
  std::atomic<int> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = next++; i < n; i = next++) request(i);
    });
  }
  for (auto& c : clients) c.join();
}

TEST_F(TrustBoundaries, TenThousandMadeUpIdsAndPathsDoNotGrowTheScrape) {
  start(testing::fast_config(dir_));
  add_product("CP-1", 1'000'000, 0);
  // One of each kind first, so every series the attack could touch exists.
  ASSERT_EQ(post_order(url_, "CP-1", 1, "key-0").status, 201);
  ASSERT_EQ(post_order(url_, "MADE-UP-0", 1).status, 404);
  ASSERT_EQ(post_order(url_, "MADE-UP-0", 1, "key-0").status, 422);
  ASSERT_EQ(testing::request("GET", url_ + "/v1/products/MADE-UP-0").status, 404);
  ASSERT_EQ(testing::request("GET", url_ + "/made/up/0").status, 404);
  ASSERT_EQ(testing::request("DELETE", url_ + "/v1/products").status, 405);
  ASSERT_EQ(testing::request("GET", url_ + "/metrics").status, 200);
  const std::string before = testing::request("GET", url_ + "/metrics").body;

  std::atomic<int> refused{0};
  in_parallel(10'000, [&](int i) {
    const std::string id = "MADE-UP-" + std::to_string(i + 1);
    refused += post_order(url_, id, 1).status == 404;
    if (i % 10 == 0) refused += post_order(url_, id, 1, "key-0").status == 422;
    refused += testing::request("GET", url_ + "/v1/products/" + id).status == 404;
    refused += testing::request("GET", url_ + "/made/up/" + id).status == 404;
  });
  EXPECT_EQ(refused.load(), 31'000);
  const std::string after = testing::request("GET", url_ + "/metrics").body;

  EXPECT_EQ(series_of(after), series_of(before)) << "no series was added";
  EXPECT_LT(after.size(), before.size() + 400) << "only the counters' digits grew";
  EXPECT_EQ(after.find("MADE-UP"), std::string::npos);
  EXPECT_NE(after.find(R"(donut_orders_total{outcome="unknown_product",product="other"} 10001)"),
            std::string::npos)
      << "the refused orders are still counted, under one label";
}

// A factory callback as it crossed the wire.
struct CapturedCallback {
  std::string body;
  http::Headers headers;
};

// Stands where the shop's callback URL points and keeps what the factory sends (answered 202,
// so the factory is done with it); the test then plays the attacker who captured it.
class CallbackRecorder {
 public:
  CallbackRecorder() {
    router_.add("POST", "/v1/stock-arrivals", "recorded",
                [this](http::Request&& request, http::Respond respond) {
                  std::lock_guard lock(mutex_);
                  captured_.push_back({request.body, request.headers});
                  respond(http::json_response(202, "{}"));
                });
    http::Server::Options options;
    options.port = 0;
    server_ = std::make_unique<http::Server>(options, router_.handler());
    (void)server_->start();
  }
  std::string url() const { return server_->base_url(); }
  std::vector<CapturedCallback> captured() {
    std::lock_guard lock(mutex_);
    return captured_;
  }

 private:
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::mutex mutex_;
  std::vector<CapturedCallback> captured_;
};

// The headers a replay sends: the captured signature and timestamp, as captured.
std::vector<std::pair<std::string, std::string>> replayed_headers(const CapturedCallback& c) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  for (const auto& [name, value] : c.headers) {
    if (name == "x-factory-timestamp" || name == "x-factory-signature") {
      headers.emplace_back(name, value);
    }
  }
  return headers;
}

std::vector<std::pair<std::string, std::string>> signed_by(const std::string& secret,
                                                           const std::string& body) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return {{"Content-Type", "application/json"},
          {"X-Factory-Timestamp", std::to_string(now)},
          {"X-Factory-Signature", codec::sign_callback(secret, now, body)}};
}

TEST_F(TrustBoundaries, ACapturedCallbackReplayedWithOtherUrlParametersAddsNothing) {
  CallbackRecorder recorder;
  auto config = testing::fast_config(dir_);
  config.http.public_url = recorder.url();  // the factory calls back the recorder
  start(std::move(config));
  const auto [restock_a, restock_b] = sell_out_two_products();
  ASSERT_FALSE(restock_a.empty());
  ASSERT_TRUE(eventually([&] { return recorder.captured().size() == 2; }));
  CapturedCallback captured;
  for (const auto& c : recorder.captured()) {
    if (c.body.find("CP-A") != std::string::npos) captured = c;
  }
  ASSERT_FALSE(captured.body.empty());

  // Delivered once, as the factory sent it: applied.
  const auto headers = replayed_headers(captured);
  ASSERT_EQ(testing::request("POST", url_ + "/v1/stock-arrivals", captured.body, headers).status,
            202);
  ASSERT_TRUE(eventually([&] { return stock("CP-A") == 5; }));
  EXPECT_EQ(system_->store().get_restock(restock_a)->state, domain::RestockState::arrived);
  // Replayed with other parameters: the same signed arrival each time, applied already.
  for (const std::string& query : std::vector<std::string>{
           "?restock_id=" + restock_b, "?restock_id=FORGED-1", "?request_id=FORGED-2",
           "?MessageAttributeRequestId=FORGED-3&MessageAttributeProductCnt=1000000",
           "?restock_id=" + restock_b + "&restock_id=FORGED-4"}) {
    auto replay =
        testing::request("POST", url_ + "/v1/stock-arrivals" + query, captured.body, headers);
    EXPECT_EQ(replay.status, 202) << query << ": the signature still holds";
  }
  ASSERT_TRUE(eventually([&] { return depth("stock-arrivals") == 0; }));
  EXPECT_EQ(stock("CP-A"), 5) << "nothing added by the replays";
  EXPECT_EQ(stock("CP-B"), 0);
  EXPECT_NE(system_->store().get_restock(restock_b)->state, domain::RestockState::arrived);
}

TEST_F(TrustBoundaries, TheSignedRequestIdDecidesWhichRestockArrives) {
  auto config = testing::fast_config(dir_);
  config.roles.restock = false;  // the restocks stay open; the test is the factory
  start(std::move(config));
  const auto [restock_a, restock_b] = sell_out_two_products();
  ASSERT_FALSE(restock_a.empty());
  const std::string body = R"({"MessageAttributeProductId":"CP-A","MessageAttributeProductCnt":5,)"
                           R"("MessageAttributeRequestId":")" +
                           restock_a + "\"}";
  const auto secret = system_->config().http.callback_secret;
  auto answer = testing::request("POST", url_ + "/v1/stock-arrivals?restock_id=" + restock_b, body,
                                 signed_by(secret, body));
  ASSERT_EQ(answer.status, 202) << answer.body;
  EXPECT_EQ(testing::json_string(answer.json, "request_id"), restock_a);
  ASSERT_TRUE(eventually([&] { return stock("CP-A") == 5; }));
  EXPECT_EQ(system_->store().get_restock(restock_a)->state, domain::RestockState::arrived);
  EXPECT_EQ(system_->store().get_restock(restock_b)->state, domain::RestockState::open)
      << "the unsigned URL parameter named another restock";
}

TEST_F(TrustBoundaries, ACallbackNamingNoRequestIsRefused) {
  const auto restock_a = start_with_an_open_restock();
  // Signed, but without MessageAttributeRequestId: nothing signed says which request it answers.
  const std::string body = R"({"MessageAttributeProductId":"CP-A","MessageAttributeProductCnt":5})";
  const auto headers = signed_by(system_->config().http.callback_secret, body);
  for (const std::string& query : std::vector<std::string>{"", "?restock_id=" + restock_a,
                                                           "?restock_id=R-2", "?restock_id=R-3"}) {
    auto refused = testing::request("POST", url_ + "/v1/stock-arrivals" + query, body, headers);
    EXPECT_EQ(refused.status, 400) << query << " " << refused.body;
    EXPECT_EQ(testing::error_code(refused), "invalid_argument");
    EXPECT_NE(refused.body.find("MessageAttributeRequestId"), std::string::npos) << refused.body;
  }
  std::this_thread::sleep_for(Millis(300));
  EXPECT_EQ(stock("CP-A"), 0) << "nothing was added";
  EXPECT_EQ(system_->store().get_restock(restock_a)->state, domain::RestockState::open);
}

// A signed callback (the secret leaked, or a factory gone wrong) for a request the shop never
// made: held for the operator, not added; visible through the admin API, and released once.
TEST_F(TrustBoundaries, ASignedCallbackForARestockNeverOpenedIsHeldNotAdded) {
  const auto restock_a = start_with_an_open_restock();
  const std::string body = R"({"MessageAttributeProductId":"CP-A","MessageAttributeProductCnt":)"
                           R"(1000000,"MessageAttributeRequestId":"FORGED-1"})";
  const auto secret = system_->config().http.callback_secret;
  for (int delivery = 0; delivery < 3; ++delivery) {
    auto answer =
        testing::request("POST", url_ + "/v1/stock-arrivals", body, signed_by(secret, body));
    ASSERT_EQ(answer.status, 202) << answer.body;
  }
  const std::vector<std::pair<std::string, std::string>> admin{
      {"Authorization", "Bearer " + system_->config().http.admin_token}};
  ASSERT_TRUE(eventually([&] {
    auto held = testing::request("GET", url_ + "/admin/held-arrivals", "", admin);
    return held.status == 200 && held.body.find("FORGED-1") != std::string::npos &&
           depth("stock-arrivals") == 0;
  }));
  EXPECT_EQ(stock("CP-A"), 0) << "held, not added";
  EXPECT_EQ(system_->store().get_restock(restock_a)->state, domain::RestockState::open);
  auto held = system_->store().held_arrivals(10);
  ASSERT_TRUE(held);
  ASSERT_EQ(held->size(), 1u) << "three deliveries, one held row";
  EXPECT_EQ(held->front().reason, domain::HeldReason::unknown_restock);

  for (int i = 0; i < 2; ++i) {
    auto released =
        testing::request("POST", url_ + "/admin/held-arrivals/FORGED-1/release", "", admin);
    ASSERT_EQ(released.status, 200) << released.body;
  }
  EXPECT_EQ(stock("CP-A"), 1'000'000) << "the operator's release, applied once";
  EXPECT_EQ(testing::request("POST", url_ + "/admin/held-arrivals/FORGED-1/release", "", {}).status,
            401);
}

// What a manufacture request of the shop looks like: the Legacy Factory fields, signed.
struct ManufactureCall {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};
ManufactureCall manufacture_call(const std::string& secret, const std::string& request_id,
                                 int64_t quantity, const std::string& callback_url,
                                 int64_t age_seconds = 0) {
  ports::ManufactureRequest r;
  r.product_id = "CP-A";
  r.quantity = quantity;
  r.request_id = request_id;
  r.callback_url = callback_url;
  ManufactureCall call{codec::encode_manufacture_request(r), {}};
  const int64_t at = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() -
                     age_seconds;
  call.headers = {{"Content-Type", "application/json"},
                  {"X-Donut-Timestamp", std::to_string(at)},
                  {"X-Donut-Signature", codec::sign_manufacture_request(secret, at, call.body)}};
  return call;
}

// The attack as first reproduced on donut up: anyone could POST a manufacture request with the
// shop's callback URL and a million units, and the simulator signed the callback with the shop's
// secret. Now only the shop's signed, fresh request for the shop's own callback URL is made.
TEST_F(TrustBoundaries, TheFactorySimulatorManufacturesOnlyWhatTheShopSigned) {
  auto config = testing::fast_config(dir_);
  config.roles.restock = false;  // the test plays the restock worker
  start(std::move(config));
  add_product("CP-A", 1, 5);
  const auto restock = testing::json_string(post_order(url_, "CP-A", 1).json, "restock_id");
  const auto& c = system_->config();
  const std::string factory = system_->factory_url() + "/api/manufactures";
  const std::string callback = url_ + "/v1/stock-arrivals";
  auto post = [&](const ManufactureCall& call) {
    return testing::request("POST", factory, call.body, call.headers);
  };

  auto unsigned_call = manufacture_call(c.http.callback_secret, restock, 1'000'000, callback);
  unsigned_call.headers.resize(1);  // Content-Type only
  auto refused = post(unsigned_call);
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(testing::error_code(refused), "unauthorized");
  EXPECT_EQ(post(manufacture_call("guess", restock, 1'000'000, callback)).status, 401) << "forged";
  EXPECT_EQ(
      post(manufacture_call(c.http.callback_secret, restock, 1'000'000, callback, 3600)).status,
      401)
      << "replayed an hour later";
  testing::RawListener elsewhere;
  const std::string other = "http://127.0.0.1:" + std::to_string(elsewhere.port()) + "/steal";
  auto redirected = post(manufacture_call(c.http.callback_secret, restock, 5, other));
  EXPECT_EQ(redirected.status, 400) << redirected.body;
  EXPECT_NE(redirected.body.find("CallbackUrl"), std::string::npos) << redirected.body;

  // The shop's own request: made once, however often it is replayed inside the window.
  const auto genuine = manufacture_call(c.http.callback_secret, restock, 5, callback);
  EXPECT_EQ(post(genuine).status, 200);
  EXPECT_EQ(post(genuine).status, 200) << "a replay is acknowledged";
  ASSERT_TRUE(eventually([&] { return stock("CP-A") == 5; }));
  std::this_thread::sleep_for(Millis(500));  // several manufacturing delays
  EXPECT_EQ(stock("CP-A"), 5) << "one batch, for the one signed request";
  EXPECT_EQ(elsewhere.received(Millis(100)), "") << "nothing was sent anywhere else";
  const auto stats = system_->factory()->stats();
  EXPECT_EQ(stats.accepted, 1);
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.unauthorized, 3);
  EXPECT_EQ(stats.rejected, 1);
  EXPECT_EQ(stats.callbacks_sent, 1);
}

TEST_F(TrustBoundaries, TheFactorySimulatorsKnobsNeedTheAdminToken) {
  start(testing::fast_config(dir_));
  const std::string knobs = system_->factory_url() + "/admin/config";
  const std::string stats = system_->factory_url() + "/admin/stats";
  for (const auto& headers : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {},
           {{"Authorization", "Bearer guess"}},
           {{"Authorization", "Basic Z3Vlc3M6Z3Vlc3M="}}}) {
    auto changed = testing::request("PUT", knobs, R"({"outage":true})", headers);
    EXPECT_EQ(changed.status, 401) << changed.body;
    EXPECT_EQ(testing::request("GET", stats, "", headers).status, 401);
  }
  EXPECT_FALSE(system_->factory()->settings().outage) << "the knobs did not move";
  const auto auth =
      std::make_pair(std::string("Authorization"), "Bearer " + system_->config().http.admin_token);
  EXPECT_EQ(testing::request("PUT", knobs, R"({"outage":true})", {auth}).status, 200);
  EXPECT_TRUE(system_->factory()->settings().outage);
  EXPECT_EQ(testing::request("GET", stats, "", {auth}).status, 200);
}

}  // namespace
}  // namespace donut
