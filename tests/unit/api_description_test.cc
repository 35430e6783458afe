// The OpenAPI documents (docs/openapi, embedded into the binary) against the routers that serve
// them: the routes and the documented operations must be the same set, so a route added,
// removed or renamed on either side fails here. Also: what /openapi.json serves for a role that
// has only some routes, and the admin routes' answer when no token is configured.
#include "api/api_description.h"

#include <algorithm>
#include <optional>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "api/admin_routes.h"
#include "api/api_documents.h"
#include "api/arrival_routes.h"
#include "api/ops_routes.h"
#include "api/sales_routes.h"
#include "api/web_pages.h"
#include "factory/simulator.h"

namespace donut::api {
namespace {
namespace json = boost::json;

using Operations = std::set<std::string>;  // "METHOD /path/{param}"

Operations documented(std::string_view document) {
  json::parse_options options;
  options.max_depth = 64;
  const json::value doc = json::parse(document, {}, options);
  Operations operations;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (!operation.is_object() || !operation.as_object().contains("responses")) continue;
      std::string upper(method);
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      operations.insert(upper + " " + std::string(path));
    }
  }
  return operations;
}

http::Response get(const http::Router& router, std::string path) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  http::Response answer;
  router.dispatch(std::move(request), [&](http::Response r) { answer = std::move(r); });
  return answer;
}

Operations served(const http::Router& router) {
  Operations operations;
  for (const auto& route : router.routes()) operations.insert(route.method + " " + route.pattern);
  return operations;
}

// The routes of `donut up`: every group the shop's document describes.
class ShopRoutes : public ::testing::Test {
 protected:
  void add_every_group(http::Router& router, std::string token = "secret-token") {
    add_ops_routes(router, store_, metrics_);
    add_sales_routes(router, store_, orders_, {});
    add_admin_routes(router, store_, broker_, std::move(token));
    add_arrival_routes(router, intake_);
    add_web_routes(router);
  }

  clock::ManualClock clock_;
  memory::MemoryStore store_{clock_};
  memory::MemoryBroker broker_{clock_};
  app::OrderService orders_{store_, {}};
  app::ArrivalIntake intake_{broker_, clock_, {"callback-secret"}};
  http::HttpMetrics metrics_{std::make_shared<prometheus::Registry>()};
};

// The two routes that take a JSON body share one content-type rule (api/json_body.h): any case
// and any parameters pass; another type, or none, is 415 before the body is read.
TEST_F(ShopRoutes, RoutesWithAJsonBodyShareOneContentTypeRule) {
  http::Router router;
  add_every_group(router);
  auto post = [&](std::string path, std::optional<std::string> type) {
    http::Request request;
    request.method = "POST";
    request.path = std::move(path);
    if (type) request.headers.emplace_back("content-type", *type);
    request.body = "{";  // past the rule: 400 for the order, 401 for the unsigned arrival
    http::Response answer;
    router.dispatch(std::move(request), [&](http::Response r) { answer = std::move(r); });
    return answer;
  };
  for (const char* path : {"/v1/orders", "/v1/stock-arrivals"}) {
    for (const char* type : {"application/json", "Application/JSON",
                             "application/json; charset=utf-8", "application/json ;v=1"}) {
      EXPECT_NE(post(path, type).status, 415) << path << " with " << type;
    }
    for (const auto& type : std::vector<std::optional<std::string>>{
             std::nullopt, "text/plain", "text/json", "application/jsonp", "application/json-seq",
             "application/x-www-form-urlencoded"}) {
      const auto answer = post(path, type);
      EXPECT_EQ(answer.status, 415) << path << " with " << type.value_or("no type");
      EXPECT_NE(answer.body.find(R"("code":"unsupported_media")"), std::string::npos);
    }
  }
}

TEST_F(ShopRoutes, EveryRouteIsDocumentedAndEveryDocumentedOperationIsServed) {
  http::Router router;
  add_every_group(router);
  ASSERT_TRUE(add_api_description_routes(router, shop_openapi_document(), shop_reference_page()));
  EXPECT_EQ(served(router), documented(shop_openapi_document()));
  EXPECT_GE(served(router).size(), 17u);
}

TEST_F(ShopRoutes, ADocumentMissingARouteIsCaught) {
  // What the test above sees when someone removes an operation from the document.
  json::parse_options options;
  options.max_depth = 64;
  json::value doc = json::parse(shop_openapi_document(), {}, options);
  doc.at("paths").as_object().erase("/v1/orders/{id}");
  const std::string edited = json::serialize(doc);
  http::Router router;
  add_every_group(router);
  ASSERT_TRUE(add_api_description_routes(router, edited, {}));
  Operations missing;
  const auto in_document = documented(edited);
  for (const auto& operation : served(router)) {
    if (!in_document.contains(operation)) missing.insert(operation);
  }
  EXPECT_EQ(missing, (Operations{"GET /v1/orders/{id}"}));
}

TEST_F(ShopRoutes, ARoleDescribesOnlyTheRoutesItServes) {
  http::Router router;  // `donut arrivals`: the intake and the operations endpoints
  add_ops_routes(router, store_, metrics_);
  add_arrival_routes(router, intake_);
  ASSERT_TRUE(add_api_description_routes(router, shop_openapi_document(), {}));
  const http::Response answer = get(router, "/openapi.json");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(documented(answer.body), served(router));
  EXPECT_TRUE(documented(answer.body).contains("POST /v1/stock-arrivals"));
  EXPECT_FALSE(documented(answer.body).contains("POST /v1/orders"));
  // Everything else of the document (components, the error catalogue) is kept.
  const auto doc = json::parse(answer.body, {}, json::parse_options{.max_depth = 64});
  EXPECT_TRUE(doc.at("components").as_object().contains("schemas"));
  EXPECT_TRUE(doc.as_object().contains("x-error-catalogue"));
}

TEST_F(ShopRoutes, AdminRoutesWithoutATokenAnswer403) {
  http::Router router;
  add_admin_routes(router, store_, broker_, "");
  const http::Response answer = get(router, "/admin/stats");
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(answer.body, R"({"error":{"code":"forbidden","message":"admin routes are disabled"}})");
}

TEST(FactoryRoutes, TheSimulatorServesExactlyTheLegacyFactoryDocument) {
  clock::ManualClock clock;
  factory::FactorySimulator simulator(clock, {});
  http::Router router;
  simulator.add_routes(router);
  ASSERT_TRUE(add_api_description_routes(router, factory_openapi_document(), {}));
  EXPECT_EQ(served(router), documented(factory_openapi_document()));
}

TEST(ApiDescription, AMalformedDocumentIsAnErrorAtStartUp) {
  http::Router router;
  EXPECT_FALSE(add_api_description_routes(router, "{", {}));
  EXPECT_FALSE(add_api_description_routes(router, R"({"openapi":"3.1.0"})", {}));
}

}  // namespace
}  // namespace donut::api
