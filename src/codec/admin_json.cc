#include "codec/admin_json.h"

#include <cmath>

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "codec/sales_json.h"
#include "domain/validation.h"

namespace donut::codec {
namespace json = boost::json;

namespace {

// An instant in RFC 3339, or null when there is none.
json::value time_or_null(const std::optional<TimePoint>& t) {
  return t ? json::value(format_rfc3339(*t)) : json::value(nullptr);
}

// A figure to a thousandth (what a person reads, and stable in tests), as a JSON integer when it
// is a whole number (Boost.JSON writes every double in exponent form: 0E0, 1.25E1).
json::value thousandths(double value) {
  const double rounded = std::round(value * 1000) / 1000;
  if (rounded == std::floor(rounded) && std::abs(rounded) < 1e15) {
    return json::value(static_cast<int64_t>(rounded));
  }
  return json::value(rounded);
}

// "policy", "service_level" and "max_restock_quantity" of `o`; those absent take their
// defaults (the policy is required when `policy_required`).
Result<domain::ReplenishmentSettings> replenishment_fields(const json::object& o,
                                                           bool policy_required) {
  domain::ReplenishmentSettings settings;
  DONUT_ASSIGN_OR_RETURN(
      auto policy, policy_required ? required_string(o, "policy") : optional_string(o, "policy"));
  if (!policy.empty() || policy_required) {
    const auto parsed = domain::parse_replenishment_policy(policy);
    if (!parsed) {
      return make_error(ErrorCode::invalid_argument,
                        "policy must be \"at_zero\" or \"reorder_point\"");
    }
    settings.policy = *parsed;
  }
  DONUT_ASSIGN_OR_RETURN(double level, optional_number(o, "service_level", 0.95));
  if (!(level >= 0.5 && level <= 0.9999)) {  // NaN cannot come from JSON, but is refused too
    return make_error(ErrorCode::invalid_argument,
                      "service_level must be a number from 0.5 to 0.9999");
  }
  settings.service_level_bp = std::llround(level * 10'000);
  DONUT_ASSIGN_OR_RETURN(settings.max_restock_quantity, optional_int(o, "max_restock_quantity", 0));
  if (o.contains("max_restock_quantity") && settings.max_restock_quantity < 1) {
    return make_error(ErrorCode::invalid_argument,
                      "max_restock_quantity must be an integer from 1 to 1000000");
  }
  return settings;
}

}  // namespace

json::object replenishment_object(const domain::ReplenishmentSettings& settings,
                                  const domain::ReplenishmentFigures& f) {
  return {{"policy", domain::to_string(settings.policy)},
          {"service_level", static_cast<double>(settings.service_level_bp) / 10'000},
          {"max_restock_quantity", f.max_restock_quantity},
          {"reorder_point", f.rule.reorder_point},
          {"order_quantity", f.rule.order_quantity},
          {"safety_stock", f.safety_stock},
          {"demand_per_second", thousandths(f.demand_per_second)},
          {"demand_trend", thousandths(f.demand_trend)},
          {"demand_half_life_ms", f.demand_half_life.count()},
          {"lead_time_ms", f.lead_time.count()},
          {"lead_time_arrivals", f.lead_time_arrivals}};
}

std::string admin_product_json(const domain::Product& product) {
  json::object o = product_object(product);
  o["replenishment"] = replenishment_object(product.replenishment.settings, product.figures);
  return json::serialize(o);
}

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

namespace {

json::value text_or_null(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::object held_arrival_object(const domain::HeldArrival& held) {
  const domain::Arrival& a = held.arrival;
  return json::object{
      {"request_id", a.request_id},
      {"restock_id", text_or_null(a.restock_id)},
      {"product_id", a.product_id},
      {"quantity", a.quantity},
      {"factory_id", text_or_null(a.factory_id)},
      {"received_at", format_rfc3339(a.received_at)},
      {"reason", domain::to_string(held.reason)},
      {"held_at", format_rfc3339(held.held_at)},
      {"decision", held.decision ? json::value(domain::to_string(*held.decision)) : nullptr},
      {"decided_at", time_or_null(held.decided_at)}};
}

}  // namespace

std::string held_arrival_json(const domain::HeldArrival& held) {
  return json::serialize(held_arrival_object(held));
}

std::string held_arrivals_json(const std::vector<domain::HeldArrival>& held) {
  json::array rows;
  for (const auto& h : held) rows.push_back(held_arrival_object(h));
  return json::serialize(json::object{{"held_arrivals", std::move(rows)}});
}

std::string warehouse_stats_json(
    const ports::WarehouseStats& stats,
    const std::optional<std::map<std::string, uint64_t>>& this_process_orders) {
  json::array products;
  for (const auto& p : stats.products) {
    products.push_back(json::object{
        {"product_id", p.product_id},
        {"stock", p.stock},
        {"orders", p.orders},
        {"units_sold", p.units_sold},
        {"arrivals", p.arrivals},
        {"units_arrived", p.units_arrived},
        {"restocks_open", p.restocks_open},
        {"restocks_requested", p.restocks_requested},
        {"restocks_arrived", p.restocks_arrived},
        {"restocks_superseded", p.restocks_superseded},
        {"units_restocked", p.units_restocked},
        {"arrivals_held", p.arrivals_held},
        {"arrivals_held_waiting", p.arrivals_held_waiting},
        {"orders_refused", p.orders_refused},
        {"replenishment", replenishment_object(p.replenishment_settings, p.replenishment)}});
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

// The array `key` of the object `body`, each item decoded by `decode_one`.
template <class Item, class DecodeOne>
Result<std::vector<Item>> decode_list(std::string_view body, std::string_view key,
                                      DecodeOne decode_one) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "body"));
  const auto* list = o->if_contains(key);
  if (list == nullptr || !list->is_array()) {
    return make_error(ErrorCode::invalid_argument, std::string(key) + " must be an array");
  }
  std::vector<Item> out;
  for (const auto& item : list->get_array()) {
    DONUT_ASSIGN_OR_RETURN(auto decoded, decode_one(item));
    out.push_back(std::move(decoded));
  }
  return out;
}

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
      {"restocks_superseded", &p.restocks_superseded},
      {"units_restocked", &p.units_restocked},
      {"orders_refused", &p.orders_refused}};
  for (const auto& [key, count] : counts) {
    DONUT_ASSIGN_OR_RETURN(*count, required_int(*o, key));
  }
  return p;
}

}  // namespace

Result<std::vector<ports::ProductStats>> decode_product_stats(std::string_view body) {
  return decode_list<ports::ProductStats>(body, "products", decode_one_product_stats);
}

namespace {

// An RFC 3339 instant of field `key`, or nullopt when the field is null (and `nullable`).
Result<std::optional<TimePoint>> instant(const json::object& o, std::string_view key,
                                         bool nullable) {
  const auto* value = o.if_contains(key);
  if (nullable && value != nullptr && value->is_null()) return std::optional<TimePoint>();
  DONUT_ASSIGN_OR_RETURN(auto text, required_string(o, key));
  const auto at = parse_rfc3339(text);
  if (!at) return make_error(ErrorCode::invalid_argument, std::string(key) + " is no instant");
  return at;
}

Result<ports::RestockHistory> decode_one_restock(const json::value& value) {
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "restock"));
  ports::RestockHistory h;
  DONUT_ASSIGN_OR_RETURN(h.restock.id, required_string(*o, "id"));
  DONUT_ASSIGN_OR_RETURN(h.restock.product_id, required_string(*o, "product_id"));
  DONUT_ASSIGN_OR_RETURN(h.restock.quantity, required_int(*o, "quantity"));
  DONUT_ASSIGN_OR_RETURN(auto state, required_string(*o, "state"));
  const auto parsed = domain::parse_restock_state(state);
  if (!parsed) return make_error(ErrorCode::invalid_argument, "state " + state + " is unknown");
  h.restock.state = *parsed;
  DONUT_ASSIGN_OR_RETURN(auto opened, instant(*o, "opened_at", false));
  h.restock.opened_at = *opened;
  DONUT_ASSIGN_OR_RETURN(h.requested_at, instant(*o, "requested_at", true));
  DONUT_ASSIGN_OR_RETURN(h.arrived_at, instant(*o, "arrived_at", true));
  return h;
}

}  // namespace

Result<std::vector<ports::RestockHistory>> decode_restock_history(std::string_view body) {
  return decode_list<ports::RestockHistory>(body, "restocks", decode_one_restock);
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

Result<domain::ProductSpec> product_spec_from(std::string id, const json::object& o) {
  DONUT_RETURN_IF_ERROR(only_fields(o, {"name", "price_cents", "stock", "restock_quantity",
                                        "policy", "service_level", "max_restock_quantity"}));
  domain::ProductSpec spec;
  spec.id = std::move(id);
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(spec.id));
  DONUT_ASSIGN_OR_RETURN(spec.name, optional_string(o, "name"));
  if (spec.name.empty()) spec.name = spec.id;
  DONUT_ASSIGN_OR_RETURN(spec.price_cents, optional_int(o, "price_cents", 0));
  DONUT_ASSIGN_OR_RETURN(spec.initial_stock, required_int(o, "stock"));
  DONUT_ASSIGN_OR_RETURN(spec.restock_quantity, optional_int(o, "restock_quantity", 0));
  DONUT_RETURN_IF_ERROR(domain::validate_stock_level(spec.initial_stock));
  if (spec.price_cents < 0 || spec.restock_quantity < 0 ||
      spec.restock_quantity > domain::kMaxRestockQuantity) {
    return make_error(ErrorCode::invalid_argument,
                      "price_cents must be >= 0 and restock_quantity from 0 to 1000000");
  }
  DONUT_ASSIGN_OR_RETURN(spec.replenishment, replenishment_fields(o, false));
  DONUT_RETURN_IF_ERROR(domain::validate_replenishment(spec.replenishment, spec.restock_quantity));
  return spec;
}

Result<domain::ProductSpec> decode_product_spec(std::string id, std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "product"));
  return product_spec_from(std::move(id), *o);
}

Result<domain::ReplenishmentSettings> decode_replenishment_settings(std::string_view body) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, as_object(value, "body"));
  DONUT_RETURN_IF_ERROR(only_fields(*o, {"policy", "service_level", "max_restock_quantity"}));
  return replenishment_fields(*o, true);
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
