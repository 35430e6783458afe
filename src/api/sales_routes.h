// The Sales API, over the transport-neutral http::Request/Response:
//
//   POST /v1/orders (+ Idempotency-Key)  201 sold; 409 out_of_stock with the product, its stock
//                                        and the restock on its way; 404, 422 (key reused)
//   GET  /v1/orders/{id}, GET /v1/products, GET /v1/products/{id}
//
// Request bodies are validated strictly (codec/sales_json.h: unknown fields, wrong types,
// out-of-range numbers are 400) before anything reaches the store; errors are
// `{"error":{"code","message"}}`. Orders go through the OrderService's group commit; the GET
// routes read the store directly.
#pragma once

#include <cstdint>

#include "app/order_service.h"
#include "http/router.h"
#include "ports/store.h"

namespace donut::api {

struct SalesApiOptions {
  int64_t max_quantity = 1000;  // per order
};

void add_sales_routes(http::Router& router, ports::Store& store, app::OrderService& orders,
                      SalesApiOptions options);

}  // namespace donut::api
