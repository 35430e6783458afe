// `donut surge`: the seed's story as one command, against a running system (local or
// self-hosted), through its public and admin HTTP APIs only.
//
// It seeds one product (admin API), ramps orders on it from `start_rate` to `peak_rate` and
// holds the peak, far past the stock, while the factory restocks; then waits for the pipeline
// to settle and checks the invariants:
//   1. stock never negative (every sample and every 201's stock_left);
//   2. initial + units arrived - units sold = final stock;
//   3. every 201 has its order row, and the warehouse sold what was answered 201 — plus at most
//      the orders whose connection dropped before their answer (a killed sales process);
//   4. every stock-out produced a restock that was requested, or a dead-letter entry;
//   5. no arrival applied twice (one arrival per arrived restock, each of the size it asked for).
// The invariants are judged by verdict.h, the figures printed by `print_report` and drawn by
// chart.h (an SVG of stock, sold/s and out-of-stock/s). The product restocks at zero or at its
// reorder point (`policy`); `run_comparison` runs the same crowd under both (compare.h).
// A failed or refused call never aborts it: an order answered neither 201 nor 409 is counted
// by status (a failure of the run unless `tolerate_errors`, for runs under injected faults); an
// admin call that fails while the pipeline settles is counted and retried. A 429 (the shop, or
// API Gateway in front of it, turning the crowd away) is not an answer: every call is sent again
// after Retry-After or a jittered pause (surge/throttled.h), an order with its Idempotency-Key;
// the report counts the orders' 429s. When the figures
// cannot be read at the end, the report says why it could not judge (`unjudged`) instead of
// guessing.
// Open-loop pacing: requests are released on a schedule, not when the previous one returns,
// so a slow server shows up as latency rather than as a quietly lower rate.
#pragma once

#include <iosfwd>
#include <string>

#include "common/error.h"
#include "common/time.h"
#include "domain/replenishment.h"
#include "surge/report.h"

namespace donut::surge {

struct SurgeOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string admin_token;
  std::string product = "CP-SURGE";
  int64_t initial_stock = 500;
  int64_t restock_quantity = 300;
  domain::ReplenishmentPolicy policy = domain::ReplenishmentPolicy::at_zero;
  double service_level = 0.95;
  // The factory's capacity: the most one restock of the reorder-point policy may ask for (the
  // simulator has no limit; at least the restock quantity is sent).
  int64_t max_restock_quantity = 20'000;
  int connections = 64;
  double start_rate = 50;    // orders/s when the ramp starts
  double peak_rate = 2'000;  // orders/s at the top of the ramp
  Millis ramp = std::chrono::seconds(10);
  Millis hold = std::chrono::seconds(10);
  Millis settle_timeout = std::chrono::seconds(60);
  std::string chart_path = "surge.svg";
  bool tolerate_errors = false;  // error answers are reported but do not fail the run
};

Result<SurgeReport> run_surge(const SurgeOptions& options, std::ostream& log);

// The same crowd twice, one after the other against the same shop and factory, each on a product
// of its own seeded alike: `<product>.at_zero` restocking at zero, then `<product>.reorder_point`
// at its reorder point.
struct Comparison {
  SurgeReport at_zero, reorder_point;
};
Result<Comparison> run_comparison(const SurgeOptions& options, std::ostream& log);

}  // namespace donut::surge
