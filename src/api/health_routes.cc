#include "api/health_routes.h"

#include <string>

namespace donut::api {

using http::Request;
using http::Respond;
using http::Response;

namespace {

http::Handler answer(std::function<Status()> check, const char* healthy) {
  return [check = std::move(check), healthy](Request&&, Respond respond) {
    if (auto status = check(); !status) {
      return respond(http::error_response(503, "unavailable", status.error().message));
    }
    respond(http::json_response(200, std::string(R"({"status":")") + healthy + "\"}"));
  };
}

}  // namespace

void add_health_routes(http::Router& router, HealthChecks checks, http::HttpMetrics& metrics) {
  router.add("GET", "/healthz", "healthz", answer(std::move(checks.alive), "ok"));
  router.add("GET", "/readyz", "readyz", answer(std::move(checks.ready), "ready"));
  router.add("GET", "/metrics", "metrics", metrics_handler(metrics));
}

http::Handler metrics_handler(http::HttpMetrics& metrics) {
  return [&metrics](Request&&, Respond respond) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = metrics.serialize();
    respond(std::move(r));
  };
}

}  // namespace donut::api
