// The routes of a role's probe listener (`--health-port`), what an orchestrator asks every role,
// workers included:
//
//   GET /healthz  200 while each background loop of the process (queue consumers, the relay,
//                 the dead-letter monitor) completed a pass within the stall limit; 503 once one
//                 has not: a stuck process, which only a restart cures
//   GET /readyz   200 while the engines the role needs answer; 503 while one does not (send it no
//                 work; restarting would not help, the role reconnects by itself)
//   GET /metrics  this process's metrics (the restock worker's factory calls, say); open, or
//                 behind the admin token as the public /metrics is (--metrics-access)
//
// A 503 is `{"error":{"code":"unavailable","message"}}`. The listener is meant for the cluster's
// network only, yet it answers as the public routes do: /healthz names the stuck loop and for
// how long (the process's own loop names, nothing of an engine: no host, port, URL or error
// text); /readyz says only "not ready", and the engine's error goes to the log.
#pragma once

#include <functional>
#include <string>

#include "common/error.h"
#include "http/metrics.h"
#include "http/router.h"

namespace donut::api {

struct HealthChecks {
  std::function<Status()> alive;  // liveness: an error names what is stuck
  std::function<Status()> ready;  // readiness: an error says why an engine does not answer
};

// `metrics_token`: null leaves /metrics open; else it needs that bearer token.
void add_health_routes(http::Router& router, HealthChecks checks, http::HttpMetrics& metrics,
                       const std::string* metrics_token = nullptr);

// GET /readyz for anyone: 200 {"status":"ready"}, or 503 "not ready" with the reason `ready`
// gave logged (a warning), never answered.
http::Handler readiness_handler(std::function<Status()> ready);

// GET /metrics: Prometheus's text format of `metrics` (this listener's and the public one's);
// with a token, only for a caller that bears it (http/bearer_token.h).
http::Handler metrics_handler(http::HttpMetrics& metrics, const std::string* token = nullptr);

}  // namespace donut::api
