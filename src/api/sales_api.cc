#include "api/sales_api.h"

#include <charconv>

#include <boost/json.hpp>

#include "api/health_routes.h"
#include "app/topology.h"
#include "codec/json_fields.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "domain/validation.h"

namespace donut::api {
namespace json = boost::json;
using http::Request;
using http::Respond;
using http::Response;

namespace {

bool is_json(const Request& request) {
  const auto* type = request.header("content-type");
  if (type == nullptr) return false;
  std::string_view value = *type;
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value.size() == 16 && std::equal(value.begin(), value.end(), "application/json",
                                          [](char a, char b) { return std::tolower(a) == b; });
}

json::object product_object(const domain::Product& p) {
  json::object o;
  o["id"] = p.id;
  o["name"] = p.name;
  o["price_cents"] = p.price_cents;
  o["stock"] = p.stock;
  o["restock_quantity"] = p.restock_quantity;
  if (p.open_restock_id.empty()) {
    o["open_restock_id"] = nullptr;
  } else {
    o["open_restock_id"] = p.open_restock_id;
  }
  return o;
}

Response order_response(const domain::OrderOutcome& outcome) {
  json::object o;
  switch (outcome.status) {
    case domain::OrderStatus::sold: {
      o["order_id"] = outcome.order_id;
      o["product_id"] = outcome.product_id;
      o["quantity"] = outcome.quantity;
      o["stock_left"] = outcome.stock_left;
      o["created_at"] = format_rfc3339(outcome.decided_at);
      if (!outcome.restock_id.empty()) o["restock_id"] = outcome.restock_id;
      Response r = http::json_response(201, json::serialize(o));
      r.headers.emplace_back("Location", "/v1/orders/" + outcome.order_id);
      if (outcome.replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
      return r;
    }
    case domain::OrderStatus::out_of_stock: {
      json::object error;
      error["code"] = "out_of_stock";
      error["message"] = outcome.restock_id.empty()
                             ? "not enough stock for this order"
                             : "not enough stock for this order; a restock has been requested";
      o["error"] = std::move(error);
      o["product_id"] = outcome.product_id;
      o["stock_left"] = outcome.stock_left;
      if (outcome.restock_id.empty()) {
        o["restock_id"] = nullptr;
      } else {
        o["restock_id"] = outcome.restock_id;
      }
      Response r = http::json_response(409, json::serialize(o));
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
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(request.body));
  DONUT_ASSIGN_OR_RETURN(const json::object* object, codec::as_object(value, "order"));
  DONUT_RETURN_IF_ERROR(codec::only_fields(*object, {"product_id", "quantity"}));
  domain::OrderRequest order;
  DONUT_ASSIGN_OR_RETURN(order.product_id, codec::required_string(*object, "product_id"));
  DONUT_ASSIGN_OR_RETURN(order.quantity, codec::required_int(*object, "quantity"));
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(order.product_id));
  DONUT_RETURN_IF_ERROR(domain::validate_quantity(order.quantity, max_quantity));
  if (const auto* key = request.header("idempotency-key")) {
    DONUT_RETURN_IF_ERROR(domain::validate_idempotency_key(*key));
    order.idempotency_key = *key;
  }
  order.order_id = new_id();
  return order;
}

Result<domain::ProductSpec> parse_product_spec(const Request& request) {
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(request.body));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, codec::as_object(value, "product"));
  DONUT_RETURN_IF_ERROR(
      codec::only_fields(*o, {"name", "price_cents", "stock", "restock_quantity"}));
  domain::ProductSpec spec;
  spec.id = std::string(request.path_param("id"));
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(spec.id));
  DONUT_ASSIGN_OR_RETURN(spec.name, codec::optional_string(*o, "name"));
  if (spec.name.empty()) spec.name = spec.id;
  DONUT_ASSIGN_OR_RETURN(spec.price_cents, codec::optional_int(*o, "price_cents", 0));
  DONUT_ASSIGN_OR_RETURN(spec.initial_stock, codec::required_int(*o, "stock"));
  DONUT_ASSIGN_OR_RETURN(spec.restock_quantity, codec::optional_int(*o, "restock_quantity", 0));
  DONUT_RETURN_IF_ERROR(domain::validate_stock_level(spec.initial_stock));
  if (spec.price_cents < 0 || spec.restock_quantity < 0 || spec.restock_quantity > 1'000'000) {
    return make_error(ErrorCode::invalid_argument,
                      "price_cents must be >= 0 and restock_quantity from 0 to 1000000");
  }
  return spec;
}

}  // namespace

std::string product_json(const domain::Product& product) {
  return json::serialize(product_object(product));
}

namespace {

json::object queue_stats_object(const ports::QueueStats& s) {
  json::object o;
  o["queue"] = s.queue;
  o["visible"] = s.visible;
  o["in_flight"] = s.in_flight;
  o["delayed"] = s.delayed;
  o["dead_letter_queue"] = s.dead_letter_queue;
  return o;
}

}  // namespace

std::string queue_stats_json(const ports::QueueStats& s) {
  return json::serialize(queue_stats_object(s));
}

std::string restock_history_json(const std::vector<ports::RestockHistory>& history) {
  json::array restocks;
  for (const auto& h : history) {
    json::object o;
    o["id"] = h.restock.id;
    o["product_id"] = h.restock.product_id;
    o["quantity"] = h.restock.quantity;
    o["state"] = domain::to_string(h.restock.state);
    o["opened_at"] = format_rfc3339(h.restock.opened_at);
    o["requested_at"] = h.requested_at ? json::value(format_rfc3339(*h.requested_at)) : nullptr;
    o["arrived_at"] = h.arrived_at ? json::value(format_rfc3339(*h.arrived_at)) : nullptr;
    o["lead_time_ms"] =
        h.arrived_at
            ? json::value(
                  std::chrono::duration_cast<Millis>(*h.arrived_at - h.restock.opened_at).count())
            : nullptr;
    json::array events;
    for (const auto& e : h.events) {
      events.push_back(
          json::object{{"at", format_rfc3339(e.at)}, {"kind", e.kind}, {"detail", e.detail}});
    }
    o["events"] = std::move(events);
    restocks.push_back(std::move(o));
  }
  return json::serialize(json::object{{"restocks", std::move(restocks)}});
}

void add_sales_routes(http::Router& router, ports::Store& store, app::OrderService& orders,
                      SalesApiOptions options) {
  router.add("POST", "/v1/orders", "orders_create",
             [&orders, options](Request&& request, Respond respond) {
               if (!is_json(request)) {
                 return respond(http::error_response(415, "unsupported_media",
                                                     "Content-Type must be application/json"));
               }
               auto order = parse_order(request, options.max_quantity);
               if (!order) return respond(http::error_response(order.error()));
               orders.submit(std::move(*order),
                             [respond = std::move(respond)](Result<domain::OrderOutcome> outcome) {
                               respond(outcome ? order_response(*outcome)
                                               : http::error_response(outcome.error()));
                             });
             });
  router.add("GET", "/v1/orders/{id}", "orders_get", [&store](Request&& request, Respond respond) {
    auto order = store.get_order(request.path_param("id"));
    if (!order) return respond(http::error_response(order.error()));
    json::object o;
    o["order_id"] = order->id;
    o["product_id"] = order->product_id;
    o["quantity"] = order->quantity;
    o["created_at"] = format_rfc3339(order->created_at);
    respond(http::json_response(200, json::serialize(o)));
  });
  router.add("GET", "/v1/products", "products_list", [&store](Request&&, Respond respond) {
    auto products = store.list_products();
    if (!products) return respond(http::error_response(products.error()));
    json::array list;
    for (const auto& p : *products) list.push_back(product_object(p));
    json::object o;
    o["products"] = std::move(list);
    respond(http::json_response(200, json::serialize(o)));
  });
  router.add("GET", "/v1/products/{id}", "products_get",
             [&store](Request&& request, Respond respond) {
               auto product = store.get_product(request.path_param("id"));
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, product_json(*product)));
             });
}

void add_arrival_routes(http::Router& router, app::ArrivalIntake& intake) {
  router.add("POST", "/v1/stock-arrivals", "stock_arrivals",
             [&intake](Request&& request, Respond respond) {
               if (!is_json(request)) {
                 return respond(http::error_response(415, "unsupported_media",
                                                     "Content-Type must be application/json"));
               }
               const auto* timestamp = request.header("x-factory-timestamp");
               const auto* signature = request.header("x-factory-signature");
               const auto restock_id = request.query_param("restock_id").value_or("");
               auto arrival = intake.accept(timestamp ? *timestamp : "",
                                            signature ? *signature : "", request.body, restock_id);
               if (!arrival) return respond(http::error_response(arrival.error()));
               json::object o;
               o["status"] = "accepted";
               o["request_id"] = arrival->request_id;
               respond(http::json_response(202, json::serialize(o)));
             });
}

void add_ops_routes(http::Router& router, ports::Store& store, http::HttpMetrics& metrics,
                    ports::Broker* needed_broker) {
  router.add("GET", "/healthz", "healthz", [](Request&&, Respond respond) {
    respond(http::json_response(200, R"({"status":"ok"})"));
  });
  router.add("GET", "/readyz", "readyz", [&store, needed_broker](Request&&, Respond respond) {
    if (auto status = store.ping(); !status) {
      return respond(http::error_response(503, "unavailable", status.error().message));
    }
    if (auto status = needed_broker ? needed_broker->ping() : ok(); !status) {
      return respond(http::error_response(503, "unavailable", status.error().message));
    }
    respond(http::json_response(200, R"({"status":"ready"})"));
  });
  router.add("GET", "/metrics", "metrics", metrics_handler(metrics));
}

namespace {

// Wraps a handler with the bearer-token check every /admin route has.
http::Handler guarded(const std::string& token, http::Handler handler) {
  return [token, handler = std::move(handler)](Request&& request, Respond respond) {
    if (token.empty()) {
      return respond(http::error_response(403, "forbidden", "admin routes are disabled"));
    }
    const auto* authorization = request.header("authorization");
    const std::string expected = "Bearer " + token;
    if (authorization == nullptr || !crypto::constant_time_equal(*authorization, expected)) {
      Response r = http::error_response(401, "unauthorized", "a valid bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    handler(std::move(request), std::move(respond));
  };
}

std::string warehouse_stats_json(const ports::WarehouseStats& stats,
                                 const ShopMetrics* sales_metrics) {
  json::array products;
  for (const auto& p : stats.products) {
    json::object o;
    o["product_id"] = p.product_id;
    o["stock"] = p.stock;
    o["orders"] = p.orders;
    o["units_sold"] = p.units_sold;
    o["arrivals"] = p.arrivals;
    o["units_arrived"] = p.units_arrived;
    o["restocks_open"] = p.restocks_open;
    o["restocks_requested"] = p.restocks_requested;
    o["restocks_arrived"] = p.restocks_arrived;
    o["restocks_superseded"] = p.restocks_superseded;
    products.push_back(std::move(o));
  }
  json::object o;
  o["products"] = std::move(products);
  o["outbox_pending"] = stats.outbox_pending;
  o["outbox_oldest_pending_at"] = stats.outbox_oldest_pending
                                      ? json::value(format_rfc3339(*stats.outbox_oldest_pending))
                                      : nullptr;
  if (sales_metrics != nullptr) {
    json::object orders;
    for (const auto& [outcome, n] : sales_metrics->order_totals()) {
      orders[outcome] = n;
    }
    o["this_process"] = json::object{{"orders", std::move(orders)}};
  }
  return json::serialize(o);
}

std::string dead_letters_json(const std::vector<ports::ReceivedMessage>& messages) {
  json::array list;
  for (const auto& m : messages) {
    json::object o;
    o["message_id"] = m.message_id;
    o["body"] = m.body;
    o["source_queue"] = m.source_queue;
    o["sent_at"] = format_rfc3339(m.sent_at);
    list.push_back(std::move(o));
  }
  json::object o;
  o["messages"] = std::move(list);
  return json::serialize(o);
}

// ?limit= of /admin/restocks: 1..200, 20 when absent.
Result<std::size_t> restock_limit(const Request& request) {
  int64_t limit = 20;
  if (auto text = request.query_param("limit")) {
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > 200) {
      return make_error(ErrorCode::invalid_argument, "limit must be an integer from 1 to 200");
    }
  }
  return static_cast<std::size_t>(limit);
}

Result<domain::Product> set_stock_from_body(ports::Store& store, const Request& request) {
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(request.body));
  DONUT_ASSIGN_OR_RETURN(auto object, codec::as_object(value, "body"));
  DONUT_RETURN_IF_ERROR(codec::only_fields(*object, {"stock"}));
  DONUT_ASSIGN_OR_RETURN(auto stock, codec::required_int(*object, "stock"));
  DONUT_RETURN_IF_ERROR(domain::validate_stock_level(stock));
  return store.set_stock(request.path_param("id"), stock);
}

void add_admin_store_routes(http::Router& router, ports::Store& store, const std::string& token,
                            const ShopMetrics* sales_metrics) {
  router.add("GET", "/admin/stats", "admin_stats",
             guarded(token, [&store, sales_metrics](Request&&, Respond respond) {
               auto stats = store.stats();
               if (!stats) return respond(http::error_response(stats.error()));
               respond(http::json_response(200, warehouse_stats_json(*stats, sales_metrics)));
             }));
  router.add("GET", "/admin/restocks", "admin_restocks",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto limit = restock_limit(request);
               if (!limit) return respond(http::error_response(limit.error()));
               auto history =
                   store.restock_history(request.query_param("product").value_or(""), *limit);
               if (!history) return respond(http::error_response(history.error()));
               respond(http::json_response(200, restock_history_json(*history)));
             }));
  router.add("PUT", "/admin/products/{id}/stock", "admin_set_stock",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto product = set_stock_from_body(store, request);
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, product_json(*product)));
             }));
  // Creates or updates a product and sets its stock (used by `donut surge` to seed its run).
  router.add("PUT", "/admin/products/{id}", "admin_put_product",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto spec = parse_product_spec(request);
               if (!spec) return respond(http::error_response(spec.error()));
               if (auto saved = store.upsert_product(*spec); !saved) {
                 return respond(http::error_response(saved.error()));
               }
               auto product = store.set_stock(spec->id, spec->initial_stock);
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, product_json(*product)));
             }));
}

void add_admin_queue_routes(http::Router& router, ports::Broker& broker, const std::string& token) {
  router.add(
      "GET", "/admin/queues", "admin_queues", guarded(token, [&broker](Request&&, Respond respond) {
        json::array queues;
        for (const auto& name : app::work_queues()) {
          auto overview = app::queue_overview(broker, name);
          if (!overview) return respond(http::error_response(overview.error()));
          auto o = queue_stats_object(overview->stats);
          o["dead_letters"] = overview->dead_letters;
          queues.push_back(std::move(o));
        }
        respond(
            http::json_response(200, json::serialize(json::object{{"queues", std::move(queues)}})));
      }));
  router.add("GET", "/admin/queues/{queue}", "admin_queue_stats",
             guarded(token, [&broker](Request&& request, Respond respond) {
               auto stats = broker.stats(request.path_param("queue"));
               if (!stats) return respond(http::error_response(stats.error()));
               respond(http::json_response(200, queue_stats_json(*stats)));
             }));
  router.add("GET", "/admin/queues/{queue}/messages", "admin_queue_peek",
             guarded(token, [&broker](Request&& request, Respond respond) {
               auto messages = broker.peek(request.path_param("queue"), 100);
               if (!messages) return respond(http::error_response(messages.error()));
               respond(http::json_response(200, dead_letters_json(*messages)));
             }));
  router.add("POST", "/admin/queues/{queue}/redrive", "admin_queue_redrive",
             guarded(token, [&broker](Request&& request, Respond respond) {
               auto moved = broker.redrive(request.path_param("queue"), 1'000'000);
               if (!moved) return respond(http::error_response(moved.error()));
               respond(http::json_response(200, "{\"moved\":" + std::to_string(*moved) + "}"));
             }));
  router.add("DELETE", "/admin/queues/{queue}/messages", "admin_queue_purge",
             guarded(token, [&broker](Request&& request, Respond respond) {
               auto purged = broker.purge(request.path_param("queue"));
               if (!purged) return respond(http::error_response(purged.error()));
               respond(http::json_response(200, "{\"purged\":" + std::to_string(*purged) + "}"));
             }));
}

}  // namespace

void add_admin_routes(http::Router& router, ports::Store& store, ports::Broker& broker,
                      std::string token, const ShopMetrics* sales_metrics) {
  add_admin_store_routes(router, store, token, sales_metrics);
  add_admin_queue_routes(router, broker, token);
}

}  // namespace donut::api
