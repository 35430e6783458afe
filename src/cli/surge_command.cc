#include "cli/surge_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "surge/chart.h"
#include "surge/compare.h"
#include "surge/surge.h"
#include "surge/verdict.h"

namespace donut::cli {
namespace {

struct SurgeSettings {
  surge::SurgeOptions options;
  double ramp_s = 10, hold_s = 10, settle_s = 60;
  std::string policy = "at_zero";
  bool compare = false;
};

void add_surge_options(CLI::App& surge, SurgeSettings& s) {
  auto& o = s.options;
  surge.add_option("--url", o.url, "Sales API base URL")
      ->envname("DONUT_URL")
      ->capture_default_str();
  surge
      .add_option("--admin-token", o.admin_token,
                  "Bearer token of /admin (default: <data-dir>/admin-token)")
      ->envname("DONUT_ADMIN_TOKEN");
  surge.add_option("--product", o.product, "Product to create and sell")->capture_default_str();
  surge.add_option("--initial-stock", o.initial_stock, "Stock before the surge")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}))
      ->capture_default_str();
  surge.add_option("--restock", o.restock_quantity, "Restock quantity of the product")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000}))
      ->capture_default_str();
  surge.add_option("--policy", s.policy, "How the product restocks: at_zero | reorder_point")
      ->check(CLI::IsMember({"at_zero", "reorder_point"}))
      ->capture_default_str();
  surge
      .add_option("--service-level", o.service_level,
                  "Service level of the reorder point, from 0.5 to 0.9999")
      ->check(CLI::Range(0.5, 0.9999))
      ->capture_default_str();
  surge
      .add_option("--max-restock-quantity", o.max_restock_quantity,
                  "The most one restock may ask for (the factory's capacity)")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}))
      ->capture_default_str();
  surge.add_flag("--compare", s.compare,
                 "Run the crowd twice, restocking at zero then at the reorder point, each on a "
                 "product of its own (<product>.at_zero, <product>.reorder_point), and compare");
  surge.add_option("--connections", o.connections, "Concurrent clients")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  surge.add_option("--start-rate", o.start_rate, "Orders/s when the ramp starts")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  surge.add_option("--peak-rate", o.peak_rate, "Orders/s at the peak")
      ->check(CLI::Range(1.0, 1e6))
      ->capture_default_str();
  surge.add_option("--ramp-s", s.ramp_s, "Seconds of ramp")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge.add_option("--hold-s", s.hold_s, "Seconds at the peak")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge
      .add_option("--settle-timeout-s", s.settle_s,
                  "How long to wait for the restocks after the load")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  surge.add_option("--chart", o.chart_path, "Where to write the SVG chart")->capture_default_str();
  surge.add_flag("--tolerate-errors", o.tolerate_errors,
                 "Report order answers other than 201/409 without failing the run (for runs "
                 "under injected faults; the invariants still decide)");
}

Millis from_seconds(double seconds) {
  return Millis(static_cast<int64_t>(seconds * 1000));
}

// The exit code of one judged run: 0 when every invariant holds, 1 when one broke, 2 when the
// run could not judge.
int verdict_code(const surge::SurgeReport& report) {
  if (!report.judged()) {
    std::cerr << "donut surge: could not judge: " << report.unjudged << "\n";
    return 2;
  }
  return report.ok() ? 0 : 1;
}

int run_one(const surge::SurgeOptions& o) {
  auto report = surge::run_surge(o, std::cout);
  if (!report) {
    std::cerr << "donut surge: could not judge: " << report.error().message << "\n";
    return 2;
  }
  surge::print_report(*report, std::cout);
  std::ofstream chart(o.chart_path);
  chart << surge::render_chart(*report, "donut surge: " + o.product + " (" + report->policy + ")");
  std::cout << "chart: " << o.chart_path << "\n";
  return verdict_code(*report);
}

// Both runs' reports, the comparison, and one chart with both. The exit code is the worse of the
// two runs' verdicts: the goal is a measurement, reported, not an invariant.
int run_compared(const surge::SurgeOptions& o) {
  auto both = surge::run_comparison(o, std::cout);
  if (!both) {
    std::cerr << "donut surge: could not judge: " << both.error().message << "\n";
    return 2;
  }
  for (const auto* r : {&both->at_zero, &both->reorder_point}) {
    std::cout << "\n== " << r->policy << " ==\n";
    surge::print_report(*r, std::cout);
  }
  surge::print_comparison(*both, std::cout);
  std::ofstream chart(o.chart_path);
  chart << surge::render_comparison_chart(both->at_zero, "restocking at zero", both->reorder_point,
                                          "at the reorder point",
                                          "donut surge --compare: " + o.product);
  std::cout << "chart: " << o.chart_path << "\n";
  return std::max(verdict_code(both->at_zero), verdict_code(both->reorder_point));
}

int run(SurgeSettings& s, const local::LocalConfig& config) {
  let_shutdown_signals_end_the_process();
  auto& o = s.options;
  o.ramp = from_seconds(s.ramp_s);
  o.hold = from_seconds(s.hold_s);
  o.settle_timeout = from_seconds(s.settle_s);
  o.policy = *domain::parse_replenishment_policy(s.policy);  // checked by the option
  if (o.admin_token.empty()) {
    std::ifstream in(std::filesystem::path(config.data_dir) / "admin-token");
    std::getline(in, o.admin_token);
  }
  return s.compare ? run_compared(o) : run_one(o);
}

}  // namespace

void add_surge_command(CLI::App& app, const local::LocalConfig& config, Action& action) {
  auto* surge = app.add_subcommand(
      "surge", "Replay the flash crowd against a running system and check invariants");
  auto settings = std::make_shared<SurgeSettings>();
  add_surge_options(*surge, *settings);
  surge->callback([&config, &action, settings] {
    action = [&config, settings] { return run(*settings, config); };
  });
}

}  // namespace donut::cli
