#include "surge/verdict.h"

#include <algorithm>
#include <ostream>

#include <fmt/format.h>

namespace donut::surge {
namespace {

// " (503: 10, no answer: 2)" for the error answers by status; empty when there were none.
std::string describe_statuses(const std::map<int, int64_t>& statuses) {
  std::string text;
  for (const auto& [status, count] : statuses) {
    text += fmt::format("{}{}: {}", text.empty() ? " (" : ", ",
                        status == 0 ? std::string("no answer") : std::to_string(status), count);
  }
  return text.empty() ? text : text + ")";
}

// The seconds of the load with the stock at 0: each sample at 0 counts until the next sample
// (or the end of the load).
double seconds_at_zero(const std::vector<std::pair<double, int64_t>>& samples, double load_end) {
  double total = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto [at, stock] = samples[i];
    if (stock != 0 || at >= load_end) continue;
    const double until = i + 1 < samples.size() ? samples[i + 1].first : load_end;
    total += std::min(until, load_end) - at;
  }
  return total;
}

}  // namespace

int64_t restocks_opened(const ports::ProductStats& p) {
  return p.restocks_open + p.restocks_requested + p.restocks_arrived + p.restocks_superseded;
}

void summarize(SurgeReport& report) {
  std::size_t active_seconds = 0;
  for (const auto& s : report.timeline) {
    report.sold += s.sold;
    report.out_of_stock += s.out_of_stock;
    report.errors += s.errors;
    report.peak_orders_per_second = std::max(
        report.peak_orders_per_second, static_cast<double>(s.sold + s.out_of_stock + s.errors));
    if (s.sold + s.out_of_stock + s.errors > 0) ++active_seconds;
  }
  report.requests = report.sold + report.out_of_stock + report.errors;
  report.mean_orders_per_second =
      static_cast<double>(report.requests) / std::max<std::size_t>(1, active_seconds);
  // Stock-out episodes from the samples: stock at 0 until it is positive again.
  double out_since = -1;  // < 0: in stock
  for (const auto& [at, stock] : report.stock_samples) {
    if (stock == 0 && out_since < 0) {
      out_since = at;
      ++report.stock_outs;
    } else if (stock > 0 && out_since >= 0) {
      report.restock_seconds.push_back(at - out_since);
      out_since = -1;
    }
  }
  report.stock_out_seconds = seconds_at_zero(report.stock_samples, report.load_seconds);
  for (const auto& r : report.restock_list) {
    report.largest_restock = std::max(report.largest_restock, r.quantity);
  }
}

void judge(SurgeReport& report, const SurgeOptions& o, const Evidence& e) {
  const ports::ProductStats& before = e.before;
  const ports::ProductStats& after = e.after;
  auto fail = [&](std::string what) { report.failures.push_back(std::move(what)); };
  const auto min_sample = std::min_element(report.stock_samples.begin(), report.stock_samples.end(),
                                           [](auto a, auto b) { return a.second < b.second; });
  if (e.negative_answers > 0 ||
      (min_sample != report.stock_samples.end() && min_sample->second < 0)) {
    fail("stock went negative");
  }
  const int64_t sold_delta = after.units_sold - before.units_sold;
  const int64_t arrived_delta = after.units_arrived - before.units_arrived;
  if (before.stock + arrived_delta - sold_delta != after.stock) {
    fail(fmt::format("initial {} + arrived {} - sold {} != final {}", before.stock, arrived_delta,
                     sold_delta, after.stock));
  }
  // An order whose connection dropped (a killed sales process) or that was answered 504 may
  // have committed without a 201: the warehouse may hold up to that many more sales than were
  // answered 201, never fewer, and never more than those requests explain.
  int64_t unanswered = 0;
  for (const int status : {0, 504}) {
    if (auto at = report.error_statuses.find(status); at != report.error_statuses.end()) {
      unanswered += at->second;
    }
  }
  report.committed_unanswered = std::max<int64_t>(0, sold_delta - report.sold);
  if (sold_delta < report.sold || report.sold != e.answered_ids) {
    fail(fmt::format("the warehouse sold {} but {} orders were answered 201", sold_delta,
                     report.sold));
  } else if (report.committed_unanswered > unanswered) {
    fail(
        fmt::format("the warehouse sold {} more than the {} answered 201, and only {} requests "
                    "went unanswered or were answered 504",
                    report.committed_unanswered, report.sold, unanswered));
  }
  if (e.missing_rows > 0) {
    fail(fmt::format("{} orders answered 201 have no order row", e.missing_rows));
  }
  if (e.unreadable_rows > 0) {
    report.unjudged =
        fmt::format("{} of the orders answered 201 could not be read back", e.unreadable_rows);
    return;
  }
  const int64_t opened = restocks_opened(after) - restocks_opened(before);
  if (report.out_of_stock > 0 && o.restock_quantity > 0 && opened == 0) {
    fail("orders were refused for lack of stock but no restock opened");
  }
  const int64_t still_open = after.restocks_open - before.restocks_open;
  if (still_open > report.dead_letters) {
    fail(fmt::format("{} restocks neither requested nor in the dead-letter queue ({} there)",
                     still_open, report.dead_letters));
  }
  const int64_t arrivals = after.arrivals - before.arrivals;
  const int64_t arrived_restocks = after.restocks_arrived - before.restocks_arrived;
  const int64_t restocked = after.units_restocked - before.units_restocked;
  if (arrivals != arrived_restocks || arrived_delta != restocked) {
    fail(fmt::format(
        "{} arrivals for {} arrived restocks ({} units for {} asked): an arrival was applied twice",
        arrivals, arrived_restocks, arrived_delta, restocked));
  }
  if (report.errors > 0 && !o.tolerate_errors) {
    fail(fmt::format("{} requests failed (neither 201 nor 409)", report.errors));
  }
}

// Each restock of the run: when it opened, what it asked for, how long it took.
void print_restocks(const SurgeReport& r, std::ostream& out) {
  out << fmt::format("restocks        {} opened, the largest asking for {}\n", r.restocks,
                     r.largest_restock);
  for (std::size_t i = 0; i < r.restock_list.size(); ++i) {
    const auto& s = r.restock_list[i];
    out << fmt::format("  restock {} opened at +{:.2f} s asking for {}", i + 1, s.opened_s,
                       s.quantity);
    out << (s.lead_s ? fmt::format(", arrived {:.2f} s later\n", *s.lead_s) : ", not arrived\n");
  }
}

void print_report(const SurgeReport& r, std::ostream& out) {
  out << fmt::format("policy          {}\n", r.policy)
      << fmt::format("requests        {}\n", r.requests)
      << fmt::format("sold (201)      {}\n", r.sold)
      << fmt::format("out of stock    {} (409): the sales lost\n", r.out_of_stock)
      << fmt::format("errors          {}{}\n", r.errors, describe_statuses(r.error_statuses))
      << fmt::format("turned away     {} (429, each retried with its Idempotency-Key)\n",
                     r.throttled)
      << fmt::format("orders/s        {:.0f} mean, {:.0f} peak second\n", r.mean_orders_per_second,
                     r.peak_orders_per_second)
      << fmt::format("units sold      {}\n", r.units_sold)
      << fmt::format("stock-outs      {}, {:.1f} s of the {:.0f} s of load at 0\n", r.stock_outs,
                     r.stock_out_seconds, r.load_seconds);
  for (std::size_t i = 0; i < r.restock_seconds.size(); ++i) {
    out << fmt::format("  stock-out {} -> back in stock after {:.2f} s\n", i + 1,
                       r.restock_seconds[i]);
  }
  print_restocks(r, out);
  out << fmt::format("dead letters    {}\n", r.dead_letters)
      << fmt::format("final stock     {}\n", r.final_stock);
  if (r.committed_unanswered > 0) {
    out << fmt::format("unanswered sold  {} (committed, but answered 504 or not at all)\n",
                       r.committed_unanswered);
  }
  if (r.admin_failures > 0) {
    out << fmt::format("admin calls     {} failed and were retried\n", r.admin_failures);
  }
  out << "\n second   sold/s  409/s  errors  mean latency\n";
  for (std::size_t s = 0; s < r.timeline.size(); ++s) {
    const auto& t = r.timeline[s];
    const auto n = t.sold + t.out_of_stock + t.errors;
    if (n == 0) continue;
    out << fmt::format(" {:>6} {:>8} {:>6} {:>7} {:>10.1f} ms\n", s, t.sold, t.out_of_stock,
                       t.errors, t.latency_ms_sum / static_cast<double>(n));
  }
  if (!r.judged()) {
    out << "\ninvariants: NOT JUDGED: " << r.unjudged << "\n";
    return;
  }
  out << "\ninvariants: " << (r.ok() ? "all hold\n" : "BROKEN\n");
  for (const auto& f : r.failures) out << "  - " << f << "\n";
}

}  // namespace donut::surge
