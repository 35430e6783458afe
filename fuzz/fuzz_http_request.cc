// libFuzzer target: raw bytes as an HTTP request, through the Beast parser with the server's
// limits, into the real Sales API, arrival intake and admin routes (over the in-memory store
// and broker). Nothing may crash, hang or leak; every answer must be a valid status.
#include <cstdint>
#include <cstdlib>

#include <boost/beast/http.hpp>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "api/admin_routes.h"
#include "api/arrival_routes.h"
#include "api/sales_routes.h"
#include "app/arrivals.h"
#include "app/order_service.h"
#include "app/topology.h"
#include "http/beast_request.h"
#include "http/router.h"

namespace {

struct World {
  donut::clock::ManualClock clock;
  donut::memory::MemoryStore store{clock};
  donut::memory::MemoryBroker broker{clock};
  donut::app::OrderService orders{store,
                                  {donut::app::OrderService::Strategy::per_request, 1, {}, {}}};
  donut::app::ArrivalIntake intake{broker, clock, {"fuzz-secret", std::chrono::minutes(5)}};
  donut::http::Router router;
  World() {
    (void)store.upsert_product({"CP-1", "Glazed", 250, 1'000'000, 10});
    (void)broker.declare(donut::app::pipeline_topology({}));
    donut::api::add_sales_routes(router, store, orders, {1000});
    donut::api::add_arrival_routes(router, intake);
    donut::api::add_admin_routes(router, store, broker, "fuzz-token");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  namespace bhttp = boost::beast::http;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(16 * 1024);
  parser.header_limit(8 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto request = donut::http::to_request(parser.release(), "127.0.0.1");
  if (!request) return 0;
  int status = 0;
  world.router.dispatch(std::move(*request), [&](donut::http::Response r) { status = r.status; });
  if (status < 200 || status > 599) std::abort();
  return 0;
}
