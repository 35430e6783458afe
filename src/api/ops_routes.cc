#include "api/ops_routes.h"

#include "api/health_routes.h"

namespace donut::api {
using http::Request;
using http::Respond;

void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker) {
  router.add("GET", "/healthz", "healthz", [](Request&&, Respond respond) {
    respond(http::json_response(200, R"({"status":"ok"})"));
  });
  router.add("GET", "/readyz", "readyz", [&store, needed_broker](Request&&, Respond respond) {
    if (auto status = store.ping(); !status) {
      return respond(http::error_response(503, "unavailable", status.error().message));
    }
    if (auto status = needed_broker ? needed_broker->ping() : ok(); !status) {
      return respond(http::error_response(503, "unavailable", status.error().message));
    }
    respond(http::json_response(200, R"({"status":"ready"})"));
  });
  router.add("GET", "/metrics", "metrics", metrics_handler(metrics));
}

}  // namespace donut::api
