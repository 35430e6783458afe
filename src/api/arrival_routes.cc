#include "api/arrival_routes.h"

#include <boost/json.hpp>

#include "api/json_body.h"

namespace donut::api {
namespace json = boost::json;
using http::Request;
using http::Respond;

void add_arrival_routes(http::Router& router, app::ArrivalIntake& intake) {
  router.add("POST", "/v1/stock-arrivals", "stock_arrivals",
             json_body_only([&intake](Request&& request, Respond respond) {
               const auto* timestamp = request.header("x-factory-timestamp");
               const auto* signature = request.header("x-factory-signature");
               auto arrival = intake.accept(timestamp ? *timestamp : "",
                                            signature ? *signature : "", request.body);
               if (!arrival) return respond(http::error_response(arrival.error()));
               json::object o;
               o["status"] = "accepted";
               o["request_id"] = arrival->request_id;
               respond(http::json_response(202, json::serialize(o)));
             }));
}

}  // namespace donut::api
