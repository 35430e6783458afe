// The whole system on one machine, over real HTTP on loopback: the seed's story, the
// dead-letter path and its redrive, the visibility-timeout lesson, concurrency, idempotency,
// duplicate callbacks, admin authentication.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "codec/factory_signature.h"
#include "factory/simulator.h"
#include "support/test_system.h"

namespace donut {
namespace {

using testing::eventually;
using testing::post_order;

class EndToEnd : public testing::LocalSystemTest {
 protected:
  bool mailed(const std::string& fragment) {
    return testing::outbox_has_subject(system_->config().mail_settings().dir, fragment);
  }
};

TEST_F(EndToEnd, SellUntilEmptyThenTheFactoryRestocks) {
  start(testing::fast_config(dir_));
  add_product("CP-502101", 10, 20);
  for (int i = 0; i < 5; ++i) {
    auto sold = post_order(url_, "CP-502101", 2);
    ASSERT_EQ(sold.status, 201) << sold.body;
    auto order_id = testing::json_string(sold.json, "order_id");
    EXPECT_EQ(testing::request("GET", url_ + "/v1/orders/" + order_id).status, 200);
  }
  auto refused = post_order(url_, "CP-502101", 1);
  ASSERT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(testing::error_code(refused), "out_of_stock");
  const auto restock_id = testing::json_string(refused.json, "restock_id");
  EXPECT_FALSE(restock_id.empty());

  ASSERT_TRUE(eventually([&] { return stock("CP-502101") == 20; }))
      << "stock restored by the factory";
  EXPECT_EQ(post_order(url_, "CP-502101", 3).status, 201);
  EXPECT_EQ(stock("CP-502101"), 17);
  const auto factory = system_->factory()->stats();
  EXPECT_EQ(factory.accepted, 1);
  EXPECT_EQ(factory.callbacks_sent, 1);
  auto restock = system_->store().get_restock(restock_id);
  EXPECT_EQ(restock->state, domain::RestockState::arrived);
  EXPECT_TRUE(eventually([&] {
    return mailed("CP-502101 is out of stock") && mailed("restock of CP-502101 requested") &&
           mailed("20 x CP-502101 arrived");
  })) << "notifications for each step";
}

TEST_F(EndToEnd, FailingFactoryDeadLettersAndRedriveRestores) {
  auto config = testing::fast_config(dir_);
  config.max_receive_count = 3;
  start(config);
  add_product("CP-9", 1, 5);
  system_->factory()->configure({Millis(50), 0.0, true, Millis(0)});  // outage
  ASSERT_EQ(post_order(url_, "CP-9", 1).status, 201);
  ASSERT_TRUE(eventually([&] { return depth("factory-requests-dlq") == 1; }))
      << "after maxReceiveCount failed deliveries";
  EXPECT_EQ(depth("factory-requests"), 0);
  EXPECT_GE(system_->factory()->stats().failed, 3);
  EXPECT_TRUE(
      eventually([&] { return mailed("dead-letter queue factory-requests-dlq is not empty"); }));
  EXPECT_EQ(post_order(url_, "CP-9", 1).status, 409);

  system_->factory()->configure({Millis(50), 0.0, false, Millis(0)});  // the factory recovers
  EXPECT_EQ(*system_->broker().redrive("factory-requests-dlq", 100), 1);
  ASSERT_TRUE(eventually([&] { return stock("CP-9") == 5; }));
  EXPECT_EQ(system_->factory()->stats().accepted, 1);
  EXPECT_EQ(post_order(url_, "CP-9", 1).status, 201);
}

// The seed's lesson: the factory answers slower than the visibility timeout, so the message
// is received again while the first worker waits. The restock is still requested once.
TEST_F(EndToEnd, HandlerSlowerThanTheVisibilityTimeoutRequestsOnce) {
  auto config = testing::fast_config(dir_);
  config.visibility_timeout_ms = 300;
  config.restock_workers = 2;
  config.restock_lease_ms = 2'500;
  config.factory.response_delay_ms = 1'000;  // the factory answers after 1 s ...
  config.factory.delay_ms = 1'500;           // ... and calls back after 1.5 s
  config.max_receive_count = 10;
  start(config);
  add_product("CP-7", 1, 9);
  ASSERT_EQ(post_order(url_, "CP-7", 1).status, 201);
  ASSERT_TRUE(eventually([&] { return stock("CP-7") == 9; }));
  // Wait until the redelivered copy has come back and been acknowledged too.
  ASSERT_TRUE(eventually([&] { return depth("factory-requests") == 0; }, std::chrono::seconds(15)));
  const auto workers = system_->restock_counters();
  EXPECT_GE(workers.busy, 1u) << "the message was delivered again while the factory was slow";
  EXPECT_GE(workers.duplicates, 1u) << "and acknowledged once the restock was requested";
  EXPECT_EQ(workers.factory_calls, 1u);
  const auto factory = system_->factory()->stats();
  EXPECT_EQ(factory.requests, 1) << "no second manufacture request";
  EXPECT_EQ(factory.accepted, 1);
  EXPECT_EQ(system_->store().stats()->products.front().arrivals, 1);
}

TEST_F(EndToEnd, SixtyFourClientsNeverOversell) {
  start(testing::fast_config(dir_));
  add_product("HOT", 1000, 0);
  std::mutex mutex;
  std::vector<std::string> sold_ids;
  std::atomic<int> refused{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto answer = post_order(url_, "HOT", 1);
        if (answer.status == 201) {
          EXPECT_GE(answer.json.at("stock_left").as_int64(), 0);
          std::lock_guard lock(mutex);
          sold_ids.push_back(testing::json_string(answer.json, "order_id"));
        } else if (answer.status == 409) {
          ++refused;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(sold_ids.size(), 1000u);
  EXPECT_EQ(refused.load(), 64 * 20 - 1000);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(stock("HOT"), 0);
  EXPECT_EQ(std::set<std::string>(sold_ids.begin(), sold_ids.end()).size(), 1000u);
  for (const auto& id : sold_ids) ASSERT_TRUE(system_->store().get_order(id)) << id;
  EXPECT_EQ(system_->store().stats()->products.front().orders, 1000);
}

TEST_F(EndToEnd, IdempotencyKeyReplaysOverHttp) {
  start(testing::fast_config(dir_));
  add_product("CP-1", 5, 0);
  auto first = post_order(url_, "CP-1", 2, "checkout-42");
  auto again = post_order(url_, "CP-1", 2, "checkout-42");
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(again.status, 201);
  EXPECT_EQ(testing::json_string(first.json, "order_id"),
            testing::json_string(again.json, "order_id"));
  ASSERT_NE(again.raw.header("idempotent-replayed"), nullptr);
  EXPECT_EQ(stock("CP-1"), 3);
  auto reused = post_order(url_, "CP-1", 1, "checkout-42");
  EXPECT_EQ(reused.status, 422);
  EXPECT_EQ(testing::error_code(reused), "idempotency_key_reused");
}

TEST_F(EndToEnd, RepeatedAndForgedCallbacksChangeNothing) {
  auto config = testing::fast_config(dir_);
  config.roles.restock = false;  // the restock stays open; the test is the factory
  start(std::move(config));
  add_product("CP-3", 1, 7);
  const auto restock_id = testing::json_string(post_order(url_, "CP-3", 1).json, "restock_id");
  ASSERT_FALSE(restock_id.empty());
  const std::string body =
      R"({"MessageAttributeProductId":"CP-3","MessageAttributeProductCnt":7,"MessageAttributeRequestId":")" +
      restock_id + "\"}";
  const auto secret = system_->config().http.callback_secret;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::vector<std::pair<std::string, std::string>> signed_headers = {
      {"Content-Type", "application/json"},
      {"X-Factory-Timestamp", std::to_string(now)},
      {"X-Factory-Signature", codec::sign_callback(secret, now, body)}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(testing::request("POST", url_ + "/v1/stock-arrivals", body, signed_headers).status,
              202);
  }
  ASSERT_TRUE(eventually([&] { return stock("CP-3") == 7 && depth("stock-arrivals") == 0; }));
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(stock("CP-3"), 7) << "applied once";

  auto forged =
      testing::request("POST", url_ + "/v1/stock-arrivals", body,
                       {{"Content-Type", "application/json"},
                        {"X-Factory-Timestamp", std::to_string(now)},
                        {"X-Factory-Signature", codec::sign_callback("guess", now, body)}});
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(testing::error_code(forged), "unauthorized");
  const int64_t old = now - 3600;
  auto replayed =
      testing::request("POST", url_ + "/v1/stock-arrivals", body,
                       {{"Content-Type", "application/json"},
                        {"X-Factory-Timestamp", std::to_string(old)},
                        {"X-Factory-Signature", codec::sign_callback(secret, old, body)}});
  EXPECT_EQ(replayed.status, 401) << "a stale timestamp is a replay";
  EXPECT_EQ(depth("stock-arrivals"), 0);
  EXPECT_EQ(stock("CP-3"), 7);
}

TEST_F(EndToEnd, OutOfOrderCallbacksAreEachAppliedOnce) {
  auto config = testing::fast_config(dir_);
  config.roles.restock = false;  // the restocks stay open; the test is the factory
  start(std::move(config));
  add_product("CP-4", 1, 10);
  add_product("CP-5", 1, 20);
  const auto restock_4 = testing::json_string(post_order(url_, "CP-4", 1).json, "restock_id");
  const auto restock_5 = testing::json_string(post_order(url_, "CP-5", 1).json, "restock_id");
  const auto secret = system_->config().http.callback_secret;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto callback = [&](const std::string& product, const std::string& request_id, int quantity) {
    const std::string body = R"({"MessageAttributeProductId":")" + product +
                             R"(","MessageAttributeProductCnt":)" + std::to_string(quantity) +
                             R"(,"MessageAttributeRequestId":")" + request_id + "\"}";
    return testing::request("POST", url_ + "/v1/stock-arrivals", body,
                            {{"Content-Type", "application/json"},
                             {"X-Factory-Timestamp", std::to_string(now)},
                             {"X-Factory-Signature", codec::sign_callback(secret, now, body)}})
        .status;
  };
  // The second batch reports first, then the first, then the second again.
  EXPECT_EQ(callback("CP-5", restock_5, 20), 202);
  EXPECT_EQ(callback("CP-4", restock_4, 10), 202);
  EXPECT_EQ(callback("CP-5", restock_5, 20), 202);
  ASSERT_TRUE(eventually(
      [&] { return stock("CP-4") == 10 && stock("CP-5") == 20 && depth("stock-arrivals") == 0; }));
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(stock("CP-4"), 10);
  EXPECT_EQ(stock("CP-5"), 20);
  const auto products = system_->store().stats()->products;
  EXPECT_EQ(products[0].arrivals + products[1].arrivals, 2);
}

TEST_F(EndToEnd, AdminRoutesNeedTheBearerToken) {
  start(testing::fast_config(dir_));
  add_product("CP-1", 5, 0);
  const std::string body = R"({"stock":42})";
  EXPECT_EQ(testing::request("PUT", url_ + "/admin/products/CP-1/stock", body).status, 401);
  EXPECT_EQ(testing::request("PUT", url_ + "/admin/products/CP-1/stock", body,
                             {{"Authorization", "Bearer wrong"}})
                .status,
            401);
  const auto auth =
      std::make_pair(std::string("Authorization"), "Bearer " + system_->config().http.admin_token);
  auto set = testing::request("PUT", url_ + "/admin/products/CP-1/stock", body, {auth});
  EXPECT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(stock("CP-1"), 42);
  EXPECT_EQ(
      testing::request("POST", url_ + "/admin/queues/factory-requests-dlq/redrive", "", {}).status,
      401);
  EXPECT_EQ(
      testing::request("POST", url_ + "/admin/queues/factory-requests-dlq/redrive", "", {auth})
          .status,
      200);
  EXPECT_EQ(testing::request("GET", url_ + "/admin/stats", "", {auth}).status, 200);
}

TEST_F(EndToEnd, ProductsHealthAndMetrics) {
  start(testing::fast_config(dir_));
  add_product("CP-1", 5, 3);
  auto list = testing::request("GET", url_ + "/v1/products");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json.at("products").as_array().size(), 1u);
  auto one = testing::request("GET", url_ + "/v1/products/CP-1");
  EXPECT_EQ(one.json.at("stock").as_int64(), 5);
  EXPECT_EQ(testing::request("GET", url_ + "/v1/products/NOPE").status, 404);
  EXPECT_EQ(testing::request("GET", url_ + "/healthz").status, 200);
  EXPECT_EQ(testing::request("GET", url_ + "/readyz").status, 200);
  post_order(url_, "CP-1", 1);
  auto metrics = testing::request("GET", url_ + "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(
      metrics.body.find("donut_http_requests_total{route=\"orders_create\",status=\"201\"} 1"),
      std::string::npos)
      << metrics.body.substr(0, 500);
  EXPECT_NE(metrics.body.find("\ndonut_orders_decided_total 1\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("\ndonut_order_transactions_total 1\n"), std::string::npos);
}

TEST_F(EndToEnd, SecretsNeverReachTheLog) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::trace);
  {
    start(testing::fast_config(dir_));
    add_product("CP-1", 1, 2);
    ASSERT_EQ(post_order(url_, "CP-1", 1).status, 201);
    ASSERT_TRUE(eventually([&] { return stock("CP-1") == 2; }));
    const auto auth = std::make_pair(std::string("Authorization"),
                                     "Bearer " + system_->config().http.admin_token);
    EXPECT_EQ(testing::request("GET", url_ + "/admin/stats", "", {auth}).status, 200);
    EXPECT_EQ(
        testing::request("GET", url_ + "/admin/stats", "", {{"Authorization", "Bearer guess"}})
            .status,
        401);
    system_->stop();
  }
  spdlog::set_default_logger(previous);
  const std::string log = captured.str();
  EXPECT_FALSE(log.empty()) << "the run was logged";
  EXPECT_EQ(log.find(system_->config().http.callback_secret), std::string::npos);
  EXPECT_EQ(log.find(system_->config().http.admin_token), std::string::npos);
  EXPECT_EQ(log.find("guess"), std::string::npos);
}

}  // namespace
}  // namespace donut
