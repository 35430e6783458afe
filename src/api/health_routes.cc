#include "api/health_routes.h"

#include <spdlog/spdlog.h>

#include "http/bearer_token.h"

namespace donut::api {

using http::Request;
using http::Respond;
using http::Response;

void add_health_routes(http::Router& router, HealthChecks checks, http::HttpMetrics& metrics,
                       const std::string* metrics_token) {
  router.add("GET", "/healthz", "healthz",
             [alive = std::move(checks.alive)](Request&&, Respond respond) {
               // A loop's name and how long its pass has run: nothing an engine said.
               if (auto status = alive(); !status) {
                 return respond(http::error_response(503, "unavailable", status.error().message));
               }
               respond(http::json_response(200, R"({"status":"ok"})"));
             });
  router.add("GET", "/readyz", "readyz", readiness_handler(std::move(checks.ready)));
  router.add("GET", "/metrics", "metrics", metrics_handler(metrics, metrics_token));
}

http::Handler readiness_handler(std::function<Status()> ready) {
  // Anyone may ask, so the answer says ready or not and nothing else; why not (an engine's
  // host, port or error text) goes to the log for the operator.
  return [ready = std::move(ready)](Request&&, Respond respond) {
    if (auto status = ready(); !status) {
      spdlog::warn("readyz: not ready: {}", status.error().message);
      return respond(http::error_response(503, "unavailable", "not ready"));
    }
    respond(http::json_response(200, R"({"status":"ready"})"));
  };
}

http::Handler metrics_handler(http::HttpMetrics& metrics, const std::string* token) {
  http::Handler scrape = [&metrics](Request&&, Respond respond) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics.serialize();
    respond(std::move(r));
  };
  if (token != nullptr) scrape = http::require_bearer_token(*token, std::move(scrape));
  return scrape;
}

}  // namespace donut::api
