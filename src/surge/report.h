// What one `donut surge` saw (surge.h) and concluded (verdict.h): the figures per second, the
// stock samples, the totals and the broken invariants. A plain value, filled by the run and
// read by the printout and the chart (chart.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace donut::surge {

struct SecondStats {
  int64_t sold = 0;
  int64_t out_of_stock = 0;
  int64_t errors = 0;
  double latency_ms_sum = 0;
};

// A restock of the surge's product, as the admin API reported it after the run.
struct RestockSeen {
  double opened_s = 0;           // seconds since the surge began
  int64_t quantity = 0;          // what it asked the factory for
  std::optional<double> lead_s;  // opened -> first arrival, when it arrived
};

struct SurgeReport {
  std::string policy;       // how the product restocked: at_zero | reorder_point
  double load_seconds = 0;  // ramp + hold
  int64_t requests = 0;
  int64_t sold = 0;
  int64_t out_of_stock = 0;
  int64_t errors = 0;
  double peak_orders_per_second = 0;
  double mean_orders_per_second = 0;
  int64_t stock_outs = 0;               // episodes: refused orders until stock came back
  std::vector<double> restock_seconds;  // per episode that ended, stock-out -> stock back
  double stock_out_seconds = 0;         // of the load, with the shelf empty (from the samples)
  int64_t dead_letters = 0;
  int64_t final_stock = 0;
  int64_t units_sold = 0;                 // the warehouse's count, over the run
  int64_t restocks = 0;                   // opened over the run
  int64_t largest_restock = 0;            // the most one of them asked for
  std::vector<RestockSeen> restock_list;  // oldest first
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

}  // namespace donut::surge
