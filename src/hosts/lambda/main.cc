// `donut-lambda`: the `bootstrap` of Donut-States' Lambda functions (custom runtime
// provided.al2023). The function to run is the first argument or DONUT_FUNCTION:
//   sales     API Gateway HTTP API -> the Sales API routes (store: DONUT_DATABASE)
//   arrivals  SQS stock-arrivals   -> ArrivalHandler, with partial batch responses
// Functions that publish or send (the intake, restock, notifier, relay) need the AWS broker and
// mailer adapters; this build reports them as an init error instead of pretending.
#include <cstdlib>
#include <string>

#include "adapters/clock/clocks.h"
#include "api/sales_api.h"
#include "app/arrivals.h"
#include "app/order_service.h"
#include "common/logging.h"
#include "hosts/lambda/lambda_host.h"
#include "hosts/local/local_system.h"

namespace {

std::string env(const char* name, std::string fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  donut::init_logging(env("DONUT_LOG_LEVEL", "info"));
  const std::string function = argc > 1 ? argv[1] : env("DONUT_FUNCTION");
  const std::string runtime = env("AWS_LAMBDA_RUNTIME_API");
  if (runtime.empty()) {
    std::fprintf(stderr,
                 "donut-lambda: AWS_LAMBDA_RUNTIME_API is not set (run me inside Lambda)\n");
    return 2;
  }
  donut::lambda::RuntimeApi api(runtime);
  donut::clock::SystemClock clock;
  donut::local::LocalConfig config;
  config.data_dir = "/tmp";
  config.database = env("DONUT_DATABASE", "/tmp/warehouse.db");
  config.mysql_pool_size = 2;

  if (function != "sales" && function != "arrivals") {
    (void)api.init_error("UnsupportedFunction",
                         "function '" + function + "' is not available in this build");
    return 1;
  }
  auto warehouse = donut::local::open_store(config, clock);
  if (!warehouse) {
    (void)api.init_error("StoreUnavailable", warehouse.error().message);
    return 1;
  }
  auto& store = *warehouse->store;
  if (function == "sales") {
    donut::app::OrderService orders(store,
                                    {donut::app::OrderService::Strategy::group_commit, 1024});
    donut::http::Router router;
    donut::api::add_sales_routes(router, store, orders,
                                 {std::stoll(env("DONUT_MAX_QUANTITY", "1000"))});
    auto status = donut::lambda::run(api, donut::lambda::http_api_handler(router));
    return status ? 0 : 1;
  }
  donut::app::ArrivalHandler arrivals(store);
  auto status = donut::lambda::run(api, donut::lambda::sqs_handler([&](auto messages, auto stop) {
                                     return arrivals.handle(messages, stop);
                                   }));
  return status ? 0 : 1;
}
