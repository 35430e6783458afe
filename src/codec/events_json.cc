#include "codec/events_json.h"

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "common/overloaded.h"

namespace donut::codec {
namespace json = boost::json;

namespace {

Result<domain::Event> decode_stock_empty(const json::object& o) {
  domain::StockEmpty e;
  int64_t at = 0;
  DONUT_ASSIGN_OR_RETURN(e.event_id, required_string(o, "event_id"));
  DONUT_ASSIGN_OR_RETURN(e.product_id, required_string(o, "product_id"));
  DONUT_ASSIGN_OR_RETURN(e.restock_id, required_string(o, "restock_id"));
  DONUT_ASSIGN_OR_RETURN(e.restock_quantity, required_int(o, "restock_quantity"));
  // Absent from events written before restocks could open above zero.
  DONUT_ASSIGN_OR_RETURN(e.stock_left, optional_int(o, "stock_left", 0));
  DONUT_ASSIGN_OR_RETURN(at, required_int(o, "occurred_at_ms"));
  e.occurred_at = from_unix_ms(at);
  return domain::Event(std::move(e));
}

Result<domain::Event> decode_restock_requested(const json::object& o) {
  domain::RestockRequested e;
  int64_t at = 0;
  DONUT_ASSIGN_OR_RETURN(e.event_id, required_string(o, "event_id"));
  DONUT_ASSIGN_OR_RETURN(e.product_id, required_string(o, "product_id"));
  DONUT_ASSIGN_OR_RETURN(e.restock_id, required_string(o, "restock_id"));
  DONUT_ASSIGN_OR_RETURN(e.quantity, required_int(o, "quantity"));
  DONUT_ASSIGN_OR_RETURN(at, required_int(o, "occurred_at_ms"));
  e.occurred_at = from_unix_ms(at);
  return domain::Event(std::move(e));
}

Result<domain::Event> decode_stock_arrived(const json::object& o) {
  domain::StockArrived e;
  int64_t at = 0;
  DONUT_ASSIGN_OR_RETURN(e.event_id, required_string(o, "event_id"));
  DONUT_ASSIGN_OR_RETURN(e.product_id, required_string(o, "product_id"));
  DONUT_ASSIGN_OR_RETURN(e.restock_id, optional_string(o, "restock_id"));
  DONUT_ASSIGN_OR_RETURN(e.request_id, required_string(o, "request_id"));
  DONUT_ASSIGN_OR_RETURN(e.quantity, required_int(o, "quantity"));
  DONUT_ASSIGN_OR_RETURN(e.stock_after, required_int(o, "stock_after"));
  DONUT_ASSIGN_OR_RETURN(at, required_int(o, "occurred_at_ms"));
  e.occurred_at = from_unix_ms(at);
  return domain::Event(std::move(e));
}

}  // namespace

std::string encode_event(const domain::Event& event) {
  json::object o;
  o["type"] = domain::event_type(event);
  std::visit(Overloaded{
                 [&](const domain::StockEmpty& e) {
                   o["event_id"] = e.event_id;
                   o["product_id"] = e.product_id;
                   o["restock_id"] = e.restock_id;
                   o["restock_quantity"] = e.restock_quantity;
                   o["stock_left"] = e.stock_left;
                   o["occurred_at_ms"] = to_unix_ms(e.occurred_at);
                 },
                 [&](const domain::RestockRequested& e) {
                   o["event_id"] = e.event_id;
                   o["product_id"] = e.product_id;
                   o["restock_id"] = e.restock_id;
                   o["quantity"] = e.quantity;
                   o["occurred_at_ms"] = to_unix_ms(e.occurred_at);
                 },
                 [&](const domain::StockArrived& e) {
                   o["event_id"] = e.event_id;
                   o["product_id"] = e.product_id;
                   o["restock_id"] = e.restock_id;
                   o["request_id"] = e.request_id;
                   o["quantity"] = e.quantity;
                   o["stock_after"] = e.stock_after;
                   o["occurred_at_ms"] = to_unix_ms(e.occurred_at);
                 },
             },
             event);
  return json::serialize(o);
}

Result<domain::Event> decode_event(std::string_view text) {
  auto value = parse_json(text);
  if (!value) return value.error();
  auto object = as_object(*value, "event");
  if (!object) return object.error();
  const json::object& o = **object;
  auto type = required_string(o, "type");
  if (!type) return type.error();
  if (*type == domain::kStockEmptyType) return decode_stock_empty(o);
  if (*type == domain::kRestockRequestedType) return decode_restock_requested(o);
  if (*type == domain::kStockArrivedType) return decode_stock_arrived(o);
  return make_error(ErrorCode::invalid_argument, "unknown event type '" + *type + "'");
}

std::string encode_arrival(const domain::Arrival& a) {
  json::object o;
  o["request_id"] = a.request_id;
  o["restock_id"] = a.restock_id;
  o["product_id"] = a.product_id;
  o["quantity"] = a.quantity;
  o["factory_id"] = a.factory_id;
  o["received_at_ms"] = to_unix_ms(a.received_at);
  return json::serialize(o);
}

Result<domain::Arrival> decode_arrival(std::string_view text) {
  auto value = parse_json(text);
  if (!value) return value.error();
  auto object = as_object(*value, "arrival");
  if (!object) return object.error();
  const json::object& o = **object;
  domain::Arrival a;
  int64_t at = 0;
  DONUT_ASSIGN_OR_RETURN(a.request_id, required_string(o, "request_id"));
  DONUT_ASSIGN_OR_RETURN(a.restock_id, optional_string(o, "restock_id"));
  DONUT_ASSIGN_OR_RETURN(a.product_id, required_string(o, "product_id"));
  DONUT_ASSIGN_OR_RETURN(a.quantity, required_int(o, "quantity"));
  DONUT_ASSIGN_OR_RETURN(a.factory_id, optional_string(o, "factory_id"));
  DONUT_ASSIGN_OR_RETURN(at, required_int(o, "received_at_ms"));
  a.received_at = from_unix_ms(at);
  if (a.request_id.empty()) return make_error(ErrorCode::invalid_argument, "request_id is empty");
  if (a.quantity <= 0) return make_error(ErrorCode::invalid_argument, "quantity must be positive");
  return a;
}

}  // namespace donut::codec
