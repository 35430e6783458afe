#include "api/ops_routes.h"

#include "api/health_routes.h"

namespace donut::api {
using http::Request;
using http::Respond;

void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker, const std::string* metrics_token) {
  router.add("GET", "/healthz", "healthz", [](Request&&, Respond respond) {
    respond(http::json_response(200, R"({"status":"ok"})"));
  });
  router.add("GET", "/readyz", "readyz", readiness_handler([&store, needed_broker]() -> Status {
               DONUT_RETURN_IF_ERROR(store.ping());
               return needed_broker != nullptr ? needed_broker->ping() : ok();
             }));
  router.add("GET", "/metrics", "metrics", metrics_handler(metrics, metrics_token));
}

}  // namespace donut::api
