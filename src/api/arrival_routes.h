// The stock-arrival intake over HTTP: the Legacy Factory's signed callback.
//
//   POST /v1/stock-arrivals   X-Factory-Timestamp + X-Factory-Signature
//        202 {"status":"accepted","request_id"}: queued on stock-arrivals
//        401 a missing, stale or wrong signature; 400 a malformed body; 415 not JSON
//
// The signature and the body are checked by app::ArrivalIntake (app/arrivals.h); the
// arrival is applied later, once, by the arrival worker.
#pragma once

#include "app/arrivals.h"
#include "http/router.h"

namespace donut::api {

void add_arrival_routes(http::Router& router, app::ArrivalIntake& intake);

}  // namespace donut::api
