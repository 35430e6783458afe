// The Legacy Factory API simulator (`donut factory`): the Factory-States contract
// (docs/ARCHITECTURE.md, "The Legacy Factory contract") with knobs to make it slow and flaky, so
// the restock pipeline can be shown and tested.
//
//   POST /api/manufactures   accept a manufacture request -> 200 {"message": ...}
//   GET  /admin/stats        counters (requests, accepted, duplicates, callbacks ...)
//   PUT  /admin/config       change the knobs at run time: {"manufacture_delay_ms",
//                            "failure_rate", "outage", "response_delay_ms"}
//
// An accepted request is manufactured once per request id (a retried request is acknowledged
// again without a second batch). After the manufacturing delay the simulator POSTs the
// attributes to CallbackUrl, signed as app/callback_signature.h describes, and retries the
// callback with backoff until it is answered 2xx or attempts run out. Thread-safe.
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
  int64_t failed = 0;    // answered 500/503 on purpose
  int64_t rejected = 0;  // malformed requests (400)
  int64_t callbacks_sent = 0;
  int64_t callback_failures = 0;
  int64_t units_manufactured = 0;
};

class FactorySimulator {
 public:
  struct Options {
    FactorySettings settings;
    std::string secret;  // signs callbacks
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
