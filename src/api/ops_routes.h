// The operations routes every role serves:
//
//   GET /healthz   the process is up
//   GET /readyz    the store is reachable, and the broker when the role cannot serve without
//                  it; anyone may ask, so 503 `unavailable` says only "not ready" (the reason
//                  is logged)
//   GET /metrics   Prometheus text (http/metrics.h, api/shop_metrics.h); open, or behind the
//                  admin token
#pragma once

#include <string>

#include "http/metrics.h"
#include "http/router.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::api {

// `needed_broker`: checked by /readyz too (the arrival intake cannot accept a callback without
// it; the sales routes can, the outbox holds their events). `metrics_token`: null leaves
// /metrics open to any scraper; else it needs that bearer token.
void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker = nullptr,
                    const std::string* metrics_token = nullptr);

}  // namespace donut::api
