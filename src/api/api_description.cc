#include "api/api_description.h"

#include <algorithm>
#include <memory>

#include <boost/json.hpp>

#include "http/page_headers.h"

namespace donut::api {
namespace json = boost::json;

namespace {

constexpr std::string_view kMethods[] = {"get",   "put",  "post",   "delete",
                                         "patch", "head", "options"};

// An operation of a path item, as opposed to its `parameters`, `summary` and the like.
bool is_method(std::string_view key) {
  return std::find(std::begin(kMethods), std::end(kMethods), key) != std::end(kMethods);
}

bool served(const std::vector<http::Router::RouteInfo>& routes, std::string_view method,
            std::string_view path) {
  return std::any_of(routes.begin(), routes.end(), [&](const http::Router::RouteInfo& route) {
    return route.pattern == path && route.method.size() == method.size() &&
           std::equal(method.begin(), method.end(), route.method.begin(),
                      [](char lower, char upper) { return std::toupper(lower) == upper; });
  });
}

}  // namespace

Result<std::string> openapi_for_routes(std::string_view document,
                                       const std::vector<http::Router::RouteInfo>& routes) {
  // The document is the project's own, embedded at build time: trusted, and deeper than the
  // limit codec::parse_json puts on what clients send.
  json::parse_options options;
  options.max_depth = 64;
  boost::system::error_code ec;
  json::value value = json::parse(document, ec, {}, options);
  if (ec)
    return make_error(ErrorCode::internal, "the OpenAPI document is not JSON: " + ec.message());
  auto* root = value.if_object();
  auto* paths = root != nullptr ? root->if_contains("paths") : nullptr;
  if (paths == nullptr || !paths->is_object()) {
    return make_error(ErrorCode::internal, "the OpenAPI document has no 'paths' object");
  }
  json::object kept;
  for (auto& [path, item] : paths->get_object()) {
    if (!item.is_object()) continue;
    json::object operations;
    for (auto& [key, operation] : item.get_object()) {
      if (!is_method(key) || served(routes, key, path)) operations[key] = operation;
    }
    const bool any_operation = std::any_of(operations.begin(), operations.end(),
                                           [](auto& kv) { return is_method(kv.key()); });
    if (any_operation) kept[path] = std::move(operations);
  }
  (*root)["paths"] = std::move(kept);
  return json::serialize(value);
}

Status add_api_description_routes(http::Router& router, std::string_view document,
                                  std::string_view reference_page) {
  // The handler reads the description through this pointer; it is filled in below, once the
  // routes (these two included) are known, and never changes after the server starts.
  auto description = std::make_shared<std::string>();
  router.add("GET", "/openapi.json", "openapi",
             [description](http::Request&&, http::Respond respond) {
               auto answer = http::json_response(200, *description);
               answer.headers.emplace_back("X-Content-Type-Options", "nosniff");
               respond(std::move(answer));
             });
  if (!reference_page.empty()) {
    router.add("GET", "/docs", "reference",
               [reference_page, policy = http::inline_scripts_policy(reference_page)](
                   http::Request&&, http::Respond respond) {
                 http::Response page;
                 page.content_type = "text/html; charset=utf-8";
                 page.body = std::string(reference_page);
                 http::add_page_headers(page, policy);
                 respond(std::move(page));
               });
  }
  DONUT_ASSIGN_OR_RETURN(*description, openapi_for_routes(document, router.routes()));
  return ok();
}

}  // namespace donut::api
