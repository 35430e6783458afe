// Every kind of broken or hostile request gets its clear 4xx with a JSON error body, the
// warehouse does not change, and the server keeps serving.
#include <gtest/gtest.h>

#include "support/raw_http.h"
#include "support/test_system.h"

namespace donut {
namespace {

struct BadRequest {
  std::string name;
  std::string method;
  std::string path;
  std::string content_type;
  std::string body;
  int status;
  std::string code;
  std::vector<std::pair<std::string, std::string>> headers = {};
};

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = testing::fast_config(dir_);
    config.max_quantity = 100;
    config.http.body_limit = 1024;
    auto system = local::LocalSystem::start(config);
    ASSERT_TRUE(system) << system.error().message;
    system_ = std::move(*system);
    ASSERT_TRUE(system_->store().upsert_product({"CP-1", "Glazed", 250, 50, 10}));
    url_ = system_->url();
    port_ = static_cast<uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
  }

  void expect_nothing_changed() {
    auto stats = system_->store().stats();
    ASSERT_TRUE(stats);
    const auto& p = stats->products.front();
    EXPECT_EQ(p.stock, 50);
    EXPECT_EQ(p.orders, 0);
    EXPECT_EQ(p.restocks_open, 0);
    EXPECT_EQ(p.orders_refused, 0);
    EXPECT_EQ(p.replenishment_settings, domain::ReplenishmentSettings{}) << "still at zero";
    EXPECT_EQ(stats->outbox_pending, 0);
    EXPECT_EQ(testing::request("GET", url_ + "/healthz").status, 200) << "still serving";
  }

  testing::TempDir dir_;
  std::unique_ptr<local::LocalSystem> system_;
  std::string url_;
  uint16_t port_ = 0;
};

TEST_F(BadInput, EachMalformedOrderGetsItsClearError) {
  const std::string json = "application/json";
  const std::vector<BadRequest> table = {
      {"malformed JSON", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":)", 400,
       "invalid_argument"},
      {"not an object", "POST", "/v1/orders", json, R"([1,2,3])", 400, "invalid_argument"},
      {"empty body", "POST", "/v1/orders", json, "", 400, "invalid_argument"},
      {"quantity as string", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":"2"})",
       400, "invalid_argument"},
      {"quantity fractional", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":1.5})",
       400, "invalid_argument"},
      {"quantity zero", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":0})", 400,
       "invalid_argument"},
      {"quantity negative", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":-3})",
       400, "invalid_argument"},
      {"quantity absurd", "POST", "/v1/orders", json, R"({"product_id":"CP-1","quantity":1000000})",
       400, "invalid_argument"},
      {"quantity beyond int64", "POST", "/v1/orders", json,
       R"({"product_id":"CP-1","quantity":99999999999999999999999})", 400, "invalid_argument"},
      {"quantity missing", "POST", "/v1/orders", json, R"({"product_id":"CP-1"})", 400,
       "invalid_argument"},
      {"product missing", "POST", "/v1/orders", json, R"({"quantity":1})", 400, "invalid_argument"},
      {"product wrong type", "POST", "/v1/orders", json, R"({"product_id":7,"quantity":1})", 400,
       "invalid_argument"},
      {"unknown field", "POST", "/v1/orders", json,
       R"({"product_id":"CP-1","quantity":1,"price":0})", 400, "invalid_argument"},
      {"SQL in product", "POST", "/v1/orders", json,
       R"({"product_id":"CP-1'; DROP TABLE orders;--","quantity":1})", 400, "invalid_argument"},
      {"nested too deep", "POST", "/v1/orders", json, std::string(40, '[') + std::string(40, ']'),
       400, "invalid_argument"},
      {"unknown product", "POST", "/v1/orders", json, R"({"product_id":"CP-404","quantity":1})",
       404, "not_found"},
      {"wrong content type", "POST", "/v1/orders", "text/plain",
       R"({"product_id":"CP-1","quantity":1})", 415, "unsupported_media"},
      {"no content type", "POST", "/v1/orders", "", R"({"product_id":"CP-1","quantity":1})", 415,
       "unsupported_media"},
      {"body too large", "POST", "/v1/orders", json,
       R"({"product_id":"CP-1","quantity":1,"pad":")" + std::string(2000, 'x') + "\"}", 413,
       "too_large"},
      {"bad idempotency key",
       "POST",
       "/v1/orders",
       json,
       R"({"product_id":"CP-1","quantity":1})",
       400,
       "invalid_argument",
       {{"Idempotency-Key", std::string(200, 'k')}}},
      {"wrong method", "DELETE", "/v1/orders", json, "", 405, "method_not_allowed"},
      {"unknown path", "GET", "/v1/nothing-here", "", "", 404, "not_found"},
      {"unsigned callback", "POST", "/v1/stock-arrivals", json,
       R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":5})", 401,
       "unauthorized"},
      {"admin without token", "PUT", "/admin/products/CP-1/stock", json, R"({"stock":0})", 401,
       "unauthorized"},
      {"replenishment without token", "PUT", "/admin/products/CP-1/replenishment", json,
       R"({"policy":"reorder_point","max_restock_quantity":1000000})", 401, "unauthorized"},
      {"replenishment with a forged token",
       "PUT",
       "/admin/products/CP-1/replenishment",
       json,
       R"({"policy":"reorder_point"})",
       401,
       "unauthorized",
       {{"Authorization", "Bearer forged"}}},
      {"product read without token", "GET", "/admin/products/CP-1", "", "", 401, "unauthorized"},
  };
  for (const auto& bad : table) {
    auto headers = bad.headers;
    if (!bad.content_type.empty()) headers.emplace_back("Content-Type", bad.content_type);
    auto answer = testing::request(bad.method, url_ + bad.path, bad.body, headers);
    EXPECT_EQ(answer.status, bad.status) << bad.name << ": " << answer.body;
    EXPECT_EQ(testing::error_code(answer), bad.code) << bad.name << ": " << answer.body;
  }
  expect_nothing_changed();
}

TEST_F(BadInput, BrokenHttpIsRefusedAndTheServerKeepsServing) {
  {
    testing::RawConnection c(port_);
    ASSERT_TRUE(c.connected());
    c.send("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_EQ(testing::status_of(c.read(std::chrono::seconds(2))), 400);
  }
  {
    testing::RawConnection c(port_);
    c.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20'000, 'a') + "\r\n\r\n");
    EXPECT_EQ(testing::status_of(c.read(std::chrono::seconds(2))), 431);
  }
  {
    // Truncated body: the client promises 100 bytes, sends 20 and hangs up.
    testing::RawConnection c(port_);
    c.send(
        "POST /v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n{\"product_id\":\"CP-1\"");
  }
  expect_nothing_changed();
}

}  // namespace
}  // namespace donut
