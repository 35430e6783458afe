// JSON of the admin routes' bodies (api/admin_routes.h), as docs/openapi/donut-states.json
// documents them: the warehouse's figures, queues, dead letters, restock timelines and held
// arrivals, and the product and stock requests.
//
// `donut restocks --json` prints the same timelines as GET /admin/restocks through
// `restock_history_json`. Decoders are strict and validate what they read
// (domain/validation.h): an unknown field, a wrong type, a number outside int64 or a value out
// of range is `invalid_argument`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.h"
#include "domain/arrival.h"
#include "domain/product.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::codec {

// {"queue","visible","in_flight","delayed","dead_letter_queue"}; the object, for a caller that
// adds to it (GET /admin/queues adds "dead_letters").
boost::json::object queue_stats_object(const ports::QueueStats& stats);
std::string queue_stats_json(const ports::QueueStats& stats);
// {"messages":[{"message_id","body","source_queue","sent_at"}...]}
std::string messages_json(const std::vector<ports::ReceivedMessage>& messages);
// {"restocks":[{... "lead_time_ms", "events":[{"at","kind","detail"}...]}...]}
std::string restock_history_json(const std::vector<ports::RestockHistory>& history);
// An arrival held for the operator: {"request_id","restock_id","product_id","quantity",
// "factory_id","received_at","reason","held_at","decision","decided_at"} (restock_id, factory_id,
// decision and decided_at null when absent); GET /admin/held-arrivals answers
// {"held_arrivals":[...]}.
std::string held_arrival_json(const domain::HeldArrival& held);
std::string held_arrivals_json(const std::vector<domain::HeldArrival>& held);
// GET /admin/stats; `this_process_orders`, when given, becomes "this_process": the orders this
// process decided, by outcome.
std::string warehouse_stats_json(
    const ports::WarehouseStats& stats,
    const std::optional<std::map<std::string, uint64_t>>& this_process_orders);

// A product as the admin routes show it: what GET /v1/products/{id} shows, plus "replenishment":
// the policy's settings and figures (replenishment_object). `donut stock` prints the same.
std::string admin_product_json(const domain::Product& product);
// {"policy","service_level","max_restock_quantity","reorder_point","order_quantity",
//  "safety_stock","demand_per_second","demand_trend","demand_half_life_ms","lead_time_ms",
//  "lead_time_arrivals"}: the settings and the figures as of the read (max_restock_quantity is
// the cap in force).
boost::json::object replenishment_object(const domain::ReplenishmentSettings& settings,
                                         const domain::ReplenishmentFigures& figures);

// The client's side, for `donut surge`, which reads the admin API: the products of
// GET /admin/stats and the figures of GET /admin/queues/{queue}. Fields beyond those are
// ignored (a newer server may add some); a missing or mistyped one is `invalid_argument`.
Result<std::vector<ports::ProductStats>> decode_product_stats(std::string_view body);
Result<ports::QueueStats> decode_queue_stats(std::string_view body);
// GET /admin/restocks: each restock with its state, quantity and times (not its events).
Result<std::vector<ports::RestockHistory>> decode_restock_history(std::string_view body);

// PUT /admin/products/{id}: {"name","price_cents","stock","restock_quantity","policy",
// "service_level","max_restock_quantity"} for product `id` (the name defaults to the id, the
// policy to at_zero, the service level to 0.95, the maximum to ten restock quantities; the id
// and the settings are validated too). The seed file's entries are the same object with its
// "id" (`product_spec_from`).
Result<domain::ProductSpec> decode_product_spec(std::string id, std::string_view body);
Result<domain::ProductSpec> product_spec_from(std::string id, const boost::json::object& object);
// PUT /admin/products/{id}/replenishment: {"policy","service_level","max_restock_quantity"},
// the policy required; checked against the product's restock quantity by the store.
Result<domain::ReplenishmentSettings> decode_replenishment_settings(std::string_view body);
// PUT /admin/products/{id}/stock: {"stock"}, a valid stock level.
Result<int64_t> decode_stock_level(std::string_view body);

}  // namespace donut::codec
