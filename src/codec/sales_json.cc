#include "codec/sales_json.h"

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "domain/validation.h"

namespace donut::codec {
namespace json = boost::json;

namespace {

// A restock id, or null when there is none.
json::value restock_or_null(const std::string& restock_id) {
  return restock_id.empty() ? json::value(nullptr) : json::value(restock_id);
}

}  // namespace

json::object product_object(const domain::Product& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"price_cents", p.price_cents},
          {"stock", p.stock},
          {"restock_quantity", p.restock_quantity},
          {"open_restock_id", restock_or_null(p.open_restock_id)}};
}

std::string product_json(const domain::Product& product) {
  return json::serialize(product_object(product));
}

std::string products_json(const std::vector<domain::Product>& products) {
  json::array list;
  for (const auto& p : products) list.push_back(product_object(p));
  return json::serialize(json::object{{"products", std::move(list)}});
}

std::string order_json(const domain::Order& order) {
  return json::serialize(json::object{{"order_id", order.id},
                                      {"product_id", order.product_id},
                                      {"quantity", order.quantity},
                                      {"created_at", format_rfc3339(order.created_at)}});
}

std::string sold_order_json(const domain::OrderOutcome& outcome) {
  json::object o{{"order_id", outcome.order_id},
                 {"product_id", outcome.product_id},
                 {"quantity", outcome.quantity},
                 {"stock_left", outcome.stock_left},
                 {"created_at", format_rfc3339(outcome.decided_at)}};
  if (!outcome.restock_id.empty()) o["restock_id"] = outcome.restock_id;
  return json::serialize(o);
}

std::string refused_order_json(const domain::OrderOutcome& outcome) {
  const char* message = outcome.restock_id.empty()
                            ? "not enough stock for this order"
                            : "not enough stock for this order; a restock has been requested";
  return json::serialize(
      json::object{{"error", json::object{{"code", "out_of_stock"}, {"message", message}}},
                   {"product_id", outcome.product_id},
                   {"stock_left", outcome.stock_left},
                   {"restock_id", restock_or_null(outcome.restock_id)}});
}

Result<domain::OrderRequest> decode_order_request(std::string_view body, int64_t max_quantity) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* object, as_object(value, "order"));
  DONUT_RETURN_IF_ERROR(only_fields(*object, {"product_id", "quantity"}));
  domain::OrderRequest order;
  DONUT_ASSIGN_OR_RETURN(order.product_id, required_string(*object, "product_id"));
  DONUT_ASSIGN_OR_RETURN(order.quantity, required_int(*object, "quantity"));
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(order.product_id));
  DONUT_RETURN_IF_ERROR(domain::validate_quantity(order.quantity, max_quantity));
  return order;
}

}  // namespace donut::codec
