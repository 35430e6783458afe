// JSON of the Sales API's bodies (api/sales_routes.h), as docs/openapi/donut-states.json
// documents them: products, orders, the answers to an order, and the order request.
//
// The CLI prints products with the same encoder, so `donut stock set` shows what
// GET /v1/products/{id} answers. The decoder is strict and validates what it reads
// (domain/validation.h): an unknown field, a wrong type, a number outside int64 or a value out
// of range is `invalid_argument`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.h"
#include "domain/order.h"
#include "domain/product.h"

namespace donut::codec {

// {"id","name","price_cents","stock","restock_quantity","open_restock_id"} (null when none).
std::string product_json(const domain::Product& product);
// The same as an object, for a caller that adds to it (the admin routes add the policy).
boost::json::object product_object(const domain::Product& product);
std::string products_json(const std::vector<domain::Product>& products);  // {"products":[...]}
std::string order_json(const domain::Order& order);

// The body of 201: the order sold, with the restock it opened (when it emptied the shelf or
// left it at or below the reorder point) or that is on its way when the shelf is empty.
std::string sold_order_json(const domain::OrderOutcome& outcome);
// The body of 409: an `out_of_stock` error naming the product, the stock left and the restock
// on its way (null when restocking is off for the product).
std::string refused_order_json(const domain::OrderOutcome& outcome);

// {"product_id","quantity"} with 1 <= quantity <= max_quantity; the order's id and
// idempotency key are the caller's to fill in.
Result<domain::OrderRequest> decode_order_request(std::string_view body, int64_t max_quantity);

}  // namespace donut::codec
