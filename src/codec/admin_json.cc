#include "codec/admin_json.h"

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "domain/validation.h"

namespace donut::codec {
namespace json = boost::json;

namespace {

// An instant in RFC 3339, or null when there is none.
json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

}  // namespace

json::object queue_stats_object(const ports::QueueStats& s) {
  return {{"queue", s.queue},
          {"visible", s.visible},
          {"in_flight", s.in_flight},
          {"delayed", s.delayed},
          {"dead_letter_queue", s.dead_letter_queue}};
}

std::string queue_stats_json(const ports::QueueStats& s) {
  return json::serialize(queue_stats_object(s));
}

std::string messages_json(const std::vector<ports::ReceivedMessage>& messages) {
  json::array list;
  for (const auto& m : messages) {
    list.push_back(json::object{{"message_id", m.message_id},
                                {"body", m.body},
                                {"source_queue", m.source_queue},
                                {"sent_at", format_rfc3339(m.sent_at)}});
  }
  return json::serialize(json::object{{"messages", std::move(list)}});
}

std::string restock_history_json(const std::vector<ports::RestockHistory>& history) {
  json::array restocks;
  for (const auto& h : history) {
    json::array events;
    for (const auto& e : h.events) {
      events.push_back(json::object{
          {"at", format_rfc3339(e.at)}, {"kind", domain::to_string(e.kind)}, {"detail", e.detail}});
    }
    const auto lead_time = [&](TimePoint arrived) {
      return std::chrono::duration_cast<Millis>(arrived - h.restock.opened_at).count();
    };
    restocks.push_back(json::object{
        {"id", h.restock.id},
        {"product_id", h.restock.product_id},
        {"quantity", h.restock.quantity},
        {"state", domain::to_string(h.restock.state)},
        {"opened_at", format_rfc3339(h.restock.opened_at)},
        {"requested_at", time_or_null(h.requested_at)},
        {"arrived_at", time_or_null(h.arrived_at)},
        {"lead_time_ms", h.arrived_at ? json::value(lead_time(*h.arrived_at)) : nullptr},
        {"events", std::move(events)}});
  }
  return json::serialize(json::object{{"restocks", std::move(restocks)}});
}

std::string warehouse_stats_json(
    const ports::WarehouseStats& stats,
    const std::optional<std::map<std::string, uint64_t>>& this_process_orders) {
  json::array products;
  for (const auto& p : stats.products) {
    products.push_back(json::object{{"product_id", p.product_id},
                                    {"stock", p.stock},
                                    {"orders", p.orders},
                                    {"units_sold", p.units_sold},
                                    {"arrivals", p.arrivals},
                                    {"units_arrived", p.units_arrived},
                                    {"restocks_open", p.restocks_open},
                                    {"restocks_requested", p.restocks_requested},
                                    {"restocks_arrived", p.restocks_arrived},
                                    {"restocks_superseded", p.restocks_superseded}});
  }
  json::object o{{"products", std::move(products)},
                 {"outbox_pending", stats.outbox_pending},
                 {"outbox_oldest_pending_at", time_or_null(stats.outbox_oldest_pending)}};
  if (this_process_orders) {
    json::object orders;
    for (const auto& [outcome, n] : *this_process_orders) {
      orders[outcome] = n;
    }
    o["this_process"] = json::object{{"orders", std::move(orders)}};
  }
  return json::serialize(o);
}

namespace {

Result<ports::ProductStats> decode_one_product_stats(const json::value& value) {
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "product"));
  ports::ProductStats p;
  DONUT_ASSIGN_OR_RETURN(p.product_id, required_string(*o, "product_id"));
  const std::pair<std::string_view, int64_t*> counts[] = {
      {"stock", &p.stock},
      {"orders", &p.orders},
      {"units_sold", &p.units_sold},
      {"arrivals", &p.arrivals},
      {"units_arrived", &p.units_arrived},
      {"restocks_open", &p.restocks_open},
      {"restocks_requested", &p.restocks_requested},
      {"restocks_arrived", &p.restocks_arrived},
      {"restocks_superseded", &p.restocks_superseded}};
  for (const auto& [key, count] : counts) {
    DONUT_ASSIGN_OR_RETURN(*count, required_int(*o, key));
  }
  return p;
}

}  // namespace

Result<std::vector<ports::ProductStats>> decode_product_stats(std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "figures"));
  const auto* products = o->if_contains("products");
  if (products == nullptr || !products->is_array()) {
    return make_error(ErrorCode::invalid_argument, "products must be an array");
  }
  std::vector<ports::ProductStats> out;
  for (const auto& p : products->get_array()) {
    DONUT_ASSIGN_OR_RETURN(auto stats, decode_one_product_stats(p));
    out.push_back(std::move(stats));
  }
  return out;
}

Result<ports::QueueStats> decode_queue_stats(std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "queue"));
  ports::QueueStats s;
  DONUT_ASSIGN_OR_RETURN(s.queue, required_string(*o, "queue"));
  DONUT_ASSIGN_OR_RETURN(s.visible, required_int(*o, "visible"));
  DONUT_ASSIGN_OR_RETURN(s.in_flight, required_int(*o, "in_flight"));
  DONUT_ASSIGN_OR_RETURN(s.delayed, required_int(*o, "delayed"));
  DONUT_ASSIGN_OR_RETURN(s.dead_letter_queue, optional_string(*o, "dead_letter_queue"));
  return s;
}

Result<domain::ProductSpec> decode_product_spec(std::string id, std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "product"));
  DONUT_RETURN_IF_ERROR(only_fields(*o, {"name", "price_cents", "stock", "restock_quantity"}));
  domain::ProductSpec spec;
  spec.id = std::move(id);
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(spec.id));
  DONUT_ASSIGN_OR_RETURN(spec.name, optional_string(*o, "name"));
  if (spec.name.empty()) spec.name = spec.id;
  DONUT_ASSIGN_OR_RETURN(spec.price_cents, optional_int(*o, "price_cents", 0));
  DONUT_ASSIGN_OR_RETURN(spec.initial_stock, required_int(*o, "stock"));
  DONUT_ASSIGN_OR_RETURN(spec.restock_quantity, optional_int(*o, "restock_quantity", 0));
  DONUT_RETURN_IF_ERROR(domain::validate_stock_level(spec.initial_stock));
  if (spec.price_cents < 0 || spec.restock_quantity < 0 || spec.restock_quantity > 1'000'000) {
    return make_error(ErrorCode::invalid_argument,
                      "price_cents must be >= 0 and restock_quantity from 0 to 1000000");
  }
  return spec;
}

Result<int64_t> decode_stock_level(std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(auto object, as_object(value, "body"));
  DONUT_RETURN_IF_ERROR(only_fields(*object, {"stock"}));
  DONUT_ASSIGN_OR_RETURN(auto stock, required_int(*object, "stock"));
  DONUT_RETURN_IF_ERROR(domain::validate_stock_level(stock));
  return stock;
}

}  // namespace donut::codec
