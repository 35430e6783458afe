// HTTP routes of the roles, over the transport-neutral http::Request/Response:
//
//   sales:    POST /v1/orders, GET /v1/orders/{id}, GET /v1/products, GET /v1/products/{id}
//   arrivals: POST /v1/stock-arrivals   (the factory's signed callback) -> 202
//   ops:      GET /healthz (process is up), GET /readyz (store reachable, and the broker when
//             the role cannot serve without it), GET /metrics (open, or behind the admin token)
//   admin:    bearer token; GET /admin/stats, PUT /admin/products/{id} (create or update,
//             with stock), PUT /admin/products/{id}/stock, GET /admin/queues (every work
//             queue with its dead letters), GET /admin/queues/{queue},
//             GET /admin/queues/{queue}/messages, POST /admin/queues/{queue}/redrive,
//             DELETE /admin/queues/{queue}/messages, GET /admin/restocks[?product=&limit=]
//             (the latest restocks, each with its timeline)
//
// Errors are `{"error":{"code","message"}}` with a 4xx/5xx status; a refused order (409) also
// carries the product, its stock and the restock on its way. Request bodies are validated
// strictly (unknown fields, wrong types, out-of-range numbers are 400) before anything
// reaches the store.
#pragma once

#include <string>

#include "api/shop_metrics.h"
#include "app/arrivals.h"
#include "app/order_service.h"
#include "http/metrics.h"
#include "http/router.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::api {

struct SalesApiOptions {
  int64_t max_quantity = 1000;  // per order
};

void add_sales_routes(http::Router& router, ports::Store& store, app::OrderService& orders,
                      SalesApiOptions options);
void add_arrival_routes(http::Router& router, app::ArrivalIntake& intake);
// `needed_broker`: checked by /readyz too (the arrival intake cannot accept a callback without
// it; the sales routes can, the outbox holds their events). /readyz answers anonymous callers
// ready (200) or not (503 `unavailable`, "not ready") and logs the reason. `metrics_token`:
// null leaves /metrics open to any scraper; else it needs that bearer token.
void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker = nullptr,
                    const std::string* metrics_token = nullptr);
// An empty token disables the admin routes (403). `sales_metrics`, when this process sells,
// adds its order counts by outcome to /admin/stats ("this_process").
void add_admin_routes(http::Router& router, ports::Store& store, ports::Broker& broker,
                      std::string token, const ShopMetrics* sales_metrics = nullptr);

// The JSON shapes shared with the CLI.
std::string product_json(const domain::Product& product);
std::string queue_stats_json(const ports::QueueStats& stats);
std::string restock_history_json(const std::vector<ports::RestockHistory>& history);

}  // namespace donut::api
