#include "api/sales_routes.h"

#include "api/json_body.h"
#include "codec/sales_json.h"
#include "common/ids.h"
#include "domain/validation.h"

namespace donut::api {
using http::Request;
using http::Respond;
using http::Response;

namespace {

Response order_response(const domain::OrderOutcome& outcome) {
  switch (outcome.status) {
    case domain::OrderStatus::sold: {
      Response r = http::json_response(201, codec::sold_order_json(outcome));
      r.headers.emplace_back("Location", "/v1/orders/" + outcome.order_id);
      if (outcome.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
      return r;
    }
    case domain::OrderStatus::out_of_stock: {
      Response r = http::json_response(409, codec::refused_order_json(outcome));
      if (outcome.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
      return r;
    }
    case domain::OrderStatus::unknown_product:
      return http::error_response(404, "not_found", "no product '" + outcome.product_id + "'");
    case domain::OrderStatus::key_reused:
      return http::error_response(
          422, "idempotency_key_reused",
          "this Idempotency-Key was used for a different product or quantity");
  }
  return http::error_response(500, "internal", "unexpected order outcome");
}

Result<domain::OrderRequest> parse_order(const Request& request, int64_t max_quantity) {
  DONUT_ASSIGN_OR_RETURN(auto order, codec::decode_order_request(request.body, max_quantity));
  if (const auto* key = request.header("idempotency-key")) {
    DONUT_RETURN_IF_ERROR(domain::validate_idempotency_key(*key));
    order.idempotency_key = *key;
  }
  order.order_id = new_id();
  return order;
}

}  // namespace

void add_sales_routes(http::Router& router, ports::Store& store, app::OrderService& orders,
                      SalesApiOptions options) {
  router.add("POST", "/v1/orders", "orders_create",
             json_body_only([&orders, options](Request&& request, Respond respond) {
               auto order = parse_order(request, options.max_quantity);
               if (!order) return respond(http::error_response(order.error()));
               orders.submit(std::move(*order),
                             [respond = std::move(respond)](Result<domain::OrderOutcome> outcome) {
                               respond(outcome ? order_response(*outcome)
                                               : http::error_response(outcome.error()));
                             });
             }));
  router.add("GET", "/v1/orders/{id}", "orders_get", [&store](Request&& request, Respond respond) {
    auto order = store.get_order(request.path_param("id"));
    if (!order) return respond(http::error_response(order.error()));
    respond(http::json_response(200, codec::order_json(*order)));
  });
  router.add("GET", "/v1/products", "products_list", [&store](Request&&, Respond respond) {
    auto products = store.list_products();
    if (!products) return respond(http::error_response(products.error()));
    respond(http::json_response(200, codec::products_json(*products)));
  });
  router.add("GET", "/v1/products/{id}", "products_get",
             [&store](Request&& request, Respond respond) {
               auto product = store.get_product(request.path_param("id"));
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, codec::product_json(*product)));
             });
}

}  // namespace donut::api
