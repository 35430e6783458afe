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
//   5. no arrival applied twice (one arrival per arrived restock, each of restock size).
// It prints a timeline summary and writes an SVG chart of stock, sold/s and out-of-stock/s.
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
#include <map>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/time.h"

namespace donut::surge {

struct SurgeOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string admin_token;
  std::string product = "CP-SURGE";
  int64_t initial_stock = 500;
  int64_t restock_quantity = 300;
  int connections = 64;
  double start_rate = 50;    // orders/s when the ramp starts
  double peak_rate = 2'000;  // orders/s at the top of the ramp
  Millis ramp = std::chrono::seconds(10);
  Millis hold = std::chrono::seconds(10);
  Millis settle_timeout = std::chrono::seconds(60);
  std::string chart_path = "surge.svg";
  bool tolerate_errors = false;  // error answers are reported but do not fail the run
};

struct SecondStats {
  int64_t sold = 0;
  int64_t out_of_stock = 0;
  int64_t errors = 0;
  double latency_ms_sum = 0;
};

struct SurgeReport {
  int64_t requests = 0;
  int64_t sold = 0;
  int64_t out_of_stock = 0;
  int64_t errors = 0;
  double peak_orders_per_second = 0;
  double mean_orders_per_second = 0;
  int64_t stock_outs = 0;               // episodes: refused orders until stock came back
  std::vector<double> restock_seconds;  // per episode that ended, stock-out -> stock back
  int64_t dead_letters = 0;
  int64_t final_stock = 0;
  std::vector<SecondStats> timeline;
  std::vector<std::pair<double, int64_t>> stock_samples;  // (seconds since start, stock)
  std::map<int, int64_t> error_statuses;  // order answers neither 201 nor 409; 0: no answer
  int64_t throttled = 0;  // 429 answers to orders, each retried (after Retry-After) with its key
  int64_t admin_failures = 0;         // admin calls that failed and were retried
  int64_t committed_unanswered = 0;   // sold without a 201: answered 504, or not at all
  std::vector<std::string> failures;  // broken invariants
  std::string unjudged;               // not empty: why the invariants could not be checked
  bool judged() const { return unjudged.empty(); }
  bool ok() const { return judged() && failures.empty(); }
};

Result<SurgeReport> run_surge(const SurgeOptions& options, std::ostream& log);
void print_report(const SurgeReport& report, std::ostream& out);
std::string render_chart(const SurgeReport& report, const std::string& title);

}  // namespace donut::surge
