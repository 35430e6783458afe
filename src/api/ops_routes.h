// The operations routes every role serves:
//
//   GET /healthz   the process is up
//   GET /readyz    the store is reachable, and the broker when the role cannot serve without
//                  it; 503 `unavailable` naming what is not
//   GET /metrics   Prometheus text (http/metrics.h, api/shop_metrics.h)
#pragma once

#include "http/metrics.h"
#include "http/router.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::api {

// `needed_broker`: checked by /readyz too (the arrival intake cannot accept a callback without
// it; the sales routes can, the outbox holds their events).
void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker = nullptr);

}  // namespace donut::api
