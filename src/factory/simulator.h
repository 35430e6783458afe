// The Legacy Factory API simulator (`donut factory`): the Factory-States contract
// (docs/ARCHITECTURE.md, "The Legacy Factory contract") with knobs to make it slow and flaky, so
// the restock pipeline can be shown and tested. It is a stand-in for a test or a demonstration,
// not a service to expose.
//
//   POST /api/manufactures   accept a manufacture request -> 200 {"message": ...}
//   GET  /admin/stats        counters (requests, accepted, duplicates, callbacks ...)
//   PUT  /admin/config       change the knobs at run time: {"manufacture_delay_ms",
//                            "failure_rate", "outage", "response_delay_ms"}
//
// Who may do what: a manufacture request must be signed by the shop with the shared secret
// (X-Donut-Timestamp, X-Donut-Signature; codec/factory_signature.h), fresh within `max_skew`,
// and name exactly the callback URL the simulator was configured with; anything else is 401 or
// 400 and manufactures nothing. So it signs callbacks only for requests the shop made, and calls
// back only the shop. The knobs need the admin bearer token (http/bearer_token.h). None of these
// doors can be used by a page the operator visits: each needs a header a cross-site request
// cannot carry without a CORS preflight, which the simulator never grants.
//
// An accepted request is manufactured once per request id (a retried or replayed request is
// acknowledged again without a second batch). After the manufacturing delay the simulator POSTs
// the attributes to the callback URL, signed as the contract says, and retries the callback
// with backoff until it is answered 2xx or attempts run out. Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "common/scheduler.h"
#include "http/router.h"
#include "ports/clock.h"
#include "ports/factory_client.h"

namespace donut::factory {

struct FactorySettings {
  Millis manufacture_delay = std::chrono::seconds(2);
  double failure_rate = 0.0;  // share of requests answered 500
  bool outage = false;        // answer 503 to everything
  Millis response_delay{0};   // how long before answering a request
};

struct FactoryStats {
  int64_t requests = 0;
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t failed = 0;        // answered 500/503 on purpose
  int64_t rejected = 0;      // malformed requests, or another callback URL (400)
  int64_t unauthorized = 0;  // requests without the shop's valid, fresh signature (401)
  int64_t callbacks_sent = 0;
  int64_t callback_failures = 0;
  int64_t units_manufactured = 0;
};

class FactorySimulator {
 public:
  struct Options {
    FactorySettings settings;
    std::string secret;        // shared with the shop: checks its requests, signs callbacks
    std::string admin_token;   // guards /admin/*; empty: they answer 403
    std::string callback_url;  // the shop's callback URL, the only one called back
    std::chrono::seconds max_skew = std::chrono::minutes(5);
    int callback_attempts = 20;
    Millis callback_retry = std::chrono::milliseconds(500);
    Millis callback_timeout = std::chrono::seconds(5);
  };

  FactorySimulator(const ports::Clock& clock, Options options);
  ~FactorySimulator();

  void add_routes(http::Router& router);
  void configure(const FactorySettings& settings);
  FactorySettings settings() const;
  FactoryStats stats() const;
  void stop();

 private:
  void manufactures(http::Request&& request, http::Respond respond);
  // The answer to a request the knobs let through: 200 (accepted or duplicate) or 400.
  http::Response accept(const http::Request& request, Millis manufacture_delay);
  void configure_from(http::Request&& request, http::Respond respond);
  void deliver(ports::ManufactureRequest request, int attempt);
  std::string stats_json() const;

  const ports::Clock& clock_;
  Options options_;
  mutable std::mutex mutex_;
  std::map<std::string, bool> seen_requests_;
  FactoryStats stats_;
  Scheduler scheduler_;
};

}  // namespace donut::factory
