#include "api/admin_routes.h"

#include <charconv>

#include <boost/json.hpp>

#include "app/topology.h"
#include "codec/admin_json.h"
#include "codec/sales_json.h"
#include "http/bearer_token.h"

namespace donut::api {
namespace json = boost::json;
using http::Request;
using http::Respond;
using http::Response;

namespace {

// Every /admin route has the bearer-token check.
http::Handler guarded(const std::string& token, http::Handler handler) {
  return http::require_bearer_token(token, std::move(handler));
}

// ?limit= of /admin/restocks and /admin/held-arrivals: 1..200, 20 when absent.
Result<std::size_t> list_limit(const Request& request) {
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
  DONUT_ASSIGN_OR_RETURN(auto stock, codec::decode_stock_level(request.body));
  return store.set_stock(request.path_param("id"), stock);
}

void add_admin_store_routes(http::Router& router, ports::Store& store, const std::string& token,
                            const ShopMetrics* sales_metrics) {
  router.add("GET", "/admin/stats", "admin_stats",
             guarded(token, [&store, sales_metrics](Request&&, Respond respond) {
               auto stats = store.stats();
               if (!stats) return respond(http::error_response(stats.error()));
               std::optional<std::map<std::string, uint64_t>> this_process;
               if (sales_metrics != nullptr) this_process = sales_metrics->order_totals();
               respond(http::json_response(200, codec::warehouse_stats_json(*stats, this_process)));
             }));
  router.add("GET", "/admin/restocks", "admin_restocks",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto limit = list_limit(request);
               if (!limit) return respond(http::error_response(limit.error()));
               auto history =
                   store.restock_history(request.query_param("product").value_or(""), *limit);
               if (!history) return respond(http::error_response(history.error()));
               respond(http::json_response(200, codec::restock_history_json(*history)));
             }));
  router.add("GET", "/admin/products/{id}", "admin_get_product",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto product = store.get_product(request.path_param("id"));
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, codec::admin_product_json(*product)));
             }));
  router.add("PUT", "/admin/products/{id}/stock", "admin_set_stock",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto product = set_stock_from_body(store, request);
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, codec::admin_product_json(*product)));
             }));
  router.add("PUT", "/admin/products/{id}/replenishment", "admin_set_replenishment",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto settings = codec::decode_replenishment_settings(request.body);
               if (!settings) return respond(http::error_response(settings.error()));
               auto product = store.set_replenishment(request.path_param("id"), *settings);
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, codec::admin_product_json(*product)));
             }));
  // Creates or updates a product, its replenishment settings and its stock (used by
  // `donut surge` to seed its run).
  router.add("PUT", "/admin/products/{id}", "admin_put_product",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto spec =
                   codec::decode_product_spec(std::string(request.path_param("id")), request.body);
               if (!spec) return respond(http::error_response(spec.error()));
               if (auto saved = store.upsert_product(*spec); !saved) {
                 return respond(http::error_response(saved.error()));
               }
               auto product = store.set_stock(spec->id, spec->initial_stock);
               if (!product) return respond(http::error_response(product.error()));
               respond(http::json_response(200, codec::admin_product_json(*product)));
             }));
}

// The operator's decision about an arrival the warehouse held (domain::plan_held_decision):
// POST /admin/held-arrivals/{request_id}/release or /discard. Both idempotent; the other decision
// after one is 409 conflict.
http::Handler decide_held(ports::Store& store, const std::string& token,
                          domain::HeldDecision decision) {
  return guarded(token, [&store, decision](Request&& request, Respond respond) {
    auto held = store.decide_held_arrival(request.path_param("request_id"), decision);
    if (!held) return respond(http::error_response(held.error()));
    respond(http::json_response(200, codec::held_arrival_json(*held)));
  });
}

void add_admin_held_arrival_routes(http::Router& router, ports::Store& store,
                                   const std::string& token) {
  router.add("GET", "/admin/held-arrivals", "admin_held_arrivals",
             guarded(token, [&store](Request&& request, Respond respond) {
               auto limit = list_limit(request);
               if (!limit) return respond(http::error_response(limit.error()));
               auto held = store.held_arrivals(*limit);
               if (!held) return respond(http::error_response(held.error()));
               respond(http::json_response(200, codec::held_arrivals_json(*held)));
             }));
  router.add("POST", "/admin/held-arrivals/{request_id}/release", "admin_release_held_arrival",
             decide_held(store, token, domain::HeldDecision::released));
  router.add("POST", "/admin/held-arrivals/{request_id}/discard", "admin_discard_held_arrival",
             decide_held(store, token, domain::HeldDecision::discarded));
}

void add_admin_queue_routes(http::Router& router, ports::Broker& broker, const std::string& token) {
  router.add(
      "GET", "/admin/queues", "admin_queues", guarded(token, [&broker](Request&&, Respond respond) {
        json::array queues;
        for (const auto& name : app::work_queues()) {
          auto overview = app::queue_overview(broker, name);
          if (!overview) return respond(http::error_response(overview.error()));
          auto o = codec::queue_stats_object(overview->stats);
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
               respond(http::json_response(200, codec::queue_stats_json(*stats)));
             }));
  router.add("GET", "/admin/queues/{queue}/messages", "admin_queue_peek",
             guarded(token, [&broker](Request&& request, Respond respond) {
               auto messages = broker.peek(request.path_param("queue"), 100);
               if (!messages) return respond(http::error_response(messages.error()));
               respond(http::json_response(200, codec::messages_json(*messages)));
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
  add_admin_held_arrival_routes(router, store, token);
  add_admin_queue_routes(router, broker, token);
}

}  // namespace donut::api
