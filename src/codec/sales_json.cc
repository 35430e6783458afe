#include "codec/sales_json.h"

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "codec/json_text.h"
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

// The two answers to an order are written directly (codec/json_text.h): one is built for every
// order.
std::string sold_order_json(const domain::OrderOutcome& outcome) {
  std::string out;
  out.reserve(192);
  out.append(R"({"order_id":)");
  append_json_string(out, outcome.order_id);
  out.append(R"(,"product_id":)");
  append_json_string(out, outcome.product_id);
  out.append(R"(,"quantity":)");
  append_json_int(out, outcome.quantity);
  out.append(R"(,"stock_left":)");
  append_json_int(out, outcome.stock_left);
  out.append(R"(,"created_at":)");
  append_json_string(out, format_rfc3339(outcome.decided_at));
  if (!outcome.restock_id.empty()) {
    out.append(R"(,"restock_id":)");
    append_json_string(out, outcome.restock_id);
  }
  out.push_back('}');
  return out;
}

std::string refused_order_json(const domain::OrderOutcome& outcome) {
  std::string out;
  out.reserve(224);
  out.append(R"({"error":{"code":"out_of_stock","message":)");
  append_json_string(out, outcome.restock_id.empty()
                              ? "not enough stock for this order"
                              : "not enough stock for this order; a restock has been requested");
  out.append(R"(},"product_id":)");
  append_json_string(out, outcome.product_id);
  out.append(R"(,"stock_left":)");
  append_json_int(out, outcome.stock_left);
  out.append(R"(,"restock_id":)");
  if (outcome.restock_id.empty()) {
    out.append("null");
  } else {
    append_json_string(out, outcome.restock_id);
  }
  out.push_back('}');
  return out;
}

Result<domain::OrderRequest> decode_order_request(std::string_view body, int64_t max_quantity) {
  // An order is a few dozen bytes: its parsed value lives on the stack, not the heap.
  unsigned char buffer[1024];
  json::monotonic_resource memory(buffer, sizeof buffer);
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body, &memory));
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
