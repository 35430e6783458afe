// The admin routes, behind a bearer token (401 without it, with `WWW-Authenticate: Bearer`;
// 403 on every admin route when the server has no token):
//
//   GET /admin/stats                       the warehouse's figures per product
//   PUT /admin/products/{id}               create or update a product, with its stock
//   PUT /admin/products/{id}/stock         set a product's stock
//   GET /admin/restocks[?product=&limit=]  the latest restocks, each with its timeline
//   GET /admin/held-arrivals[?limit=]      arrivals held for the operator, newest first
//   POST /admin/held-arrivals/{request_id}/release (applied once) or /discard (nothing added)
//   GET /admin/queues                      every work queue with its dead letters
//   GET /admin/queues/{queue}, GET /admin/queues/{queue}/messages (a peek),
//   POST /admin/queues/{queue}/redrive, DELETE /admin/queues/{queue}/messages
//
// Bodies in and out are codec/admin_json.h's.
#pragma once

#include <string>

#include "api/shop_metrics.h"
#include "http/router.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::api {

// An empty token disables the admin routes (403). `sales_metrics`, when this process sells,
// adds its order counts by outcome to /admin/stats ("this_process").
void add_admin_routes(http::Router& router, ports::Store& store, ports::Broker& broker,
                      std::string token, const ShopMetrics* sales_metrics = nullptr);

}  // namespace donut::api
