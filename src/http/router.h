// Maps method + path to a handler. Patterns are literal segments and `{name}` placeholders
// ("/v1/products/{id}"); the first matching route wins. An unknown path answers 404 and a
// known path with another method 405, both with the JSON error body. Each route has a name
// used as the `route` label of the HTTP metrics, so metrics never grow with user input.
// Routes are added before serving starts; dispatch is then read-only and thread-safe.
#pragma once

#include <string>
#include <vector>

#include "http/message.h"
#include "http/metrics.h"

namespace donut::http {

class Router {
 public:
  explicit Router(HttpMetrics* metrics = nullptr) : metrics_(metrics) {}

  void add(std::string method, std::string pattern, std::string route_name, Handler handler);
  void dispatch(Request&& request, Respond respond) const;

  // What is served, in the order added: the API description (`api/api_description.h`) lists
  // exactly these, and a test compares them with the OpenAPI documents.
  struct RouteInfo {
    std::string method;
    std::string pattern;
    friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
  };
  std::vector<RouteInfo> routes() const;

  // As a Handler for the server.
  Handler handler() const {
    return [this](Request&& request, Respond respond) {
      dispatch(std::move(request), std::move(respond));
    };
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    std::string name;
    Handler handler;
    HttpMetrics::RouteMetrics* metrics = nullptr;
  };
  static bool match(const Route& route, const std::vector<std::string_view>& parts,
                    Request& request);

  HttpMetrics* metrics_;
  std::vector<Route> routes_;
  HttpMetrics::RouteMetrics* unmatched_metrics_ = nullptr;
};

}  // namespace donut::http
