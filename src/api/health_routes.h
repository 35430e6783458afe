// The routes of a role's probe listener (`--health-port`), what an orchestrator asks every role,
// workers included:
//
//   GET /healthz  200 while each background loop of the process (queue consumers, the relay,
//                 the dead-letter monitor) completed a pass within the stall limit; 503 once one
//                 has not: a stuck process, which only a restart cures
//   GET /readyz   200 while the engines the role needs answer; 503 while one does not (send it no
//                 work; restarting would not help, the role reconnects by itself)
//   GET /metrics  this process's metrics (the restock worker's factory calls, say)
//
// A 503 is `{"error":{"code":"unavailable","message"}}`; the message names the stuck loop or
// the engine that does not answer. The listener is meant for the cluster's network only.
#pragma once

#include <functional>

#include "common/error.h"
#include "http/metrics.h"
#include "http/router.h"

namespace donut::api {

struct HealthChecks {
  std::function<Status()> alive;  // liveness: an error names what is stuck
  std::function<Status()> ready;  // readiness: an error names the engine that does not answer
};

void add_health_routes(http::Router& router, HealthChecks checks, http::HttpMetrics& metrics);

// GET /metrics: Prometheus's text format of `metrics` (this listener's and the public one's).
http::Handler metrics_handler(http::HttpMetrics& metrics);

}  // namespace donut::api
