#include "cli/sim_command.h"

#include <ctime>
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "sim/simulation.h"

namespace donut::cli {
namespace {

struct SimSettings {
  sim::SimOptions options;
  uint64_t seeds = 1;
  std::string faults = "all";
  std::string policy = "at_zero";
  bool verbose = false;
};

// The sweep's sums.
struct Totals {
  int64_t steps = 0, operations = 0, sold = 0, refused = 0, restocks = 0, asks = 0,
          reasks_lease = 0, reasks_unknown = 0, crashes = 0, alerts = 0, redriven = 0,
          superseded_callbacks = 0;
  std::map<std::string, int64_t> faults;
  std::map<std::string, sim::QueueReport> queues;

  void add(const sim::SimReport& r) {
    steps += r.steps;
    operations += r.operations;
    sold += r.orders_sold;
    refused += r.orders_refused;
    restocks += r.restocks;
    asks += r.factory_asks;
    reasks_lease += r.reasks_after_lease_expiry;
    reasks_unknown += r.reasks_after_unknown_answer;
    crashes += r.crashes;
    alerts += r.dead_letter_alerts;
    redriven += r.redriven;
    superseded_callbacks += r.callbacks_for_superseded;
    for (const auto& [kind, n] : r.faults) faults[kind] += n;
    for (const auto& q : r.queues) {
      auto& t = queues[q.queue];
      t.queue = q.queue;
      t.enqueued += q.enqueued;
      t.completed += q.completed;
      t.lost += q.lost;
      t.duplicated += q.duplicated;
      t.unexpected += q.unexpected;
      t.dead_lettered += q.dead_lettered;
      t.recovered += q.recovered;
    }
  }
};

void print_totals(const Totals& t, uint64_t seeds, double cpu_seconds) {
  std::cout << fmt::format(
      "{} seeds, {} steps, {} operations in {:.2f} CPU-s ({:.0f} operations per CPU-second)\n"
      "orders sold {}, refused {}; {} restocks; factory asked {} times ({} again after a lease "
      "expired, {} after a lost "
      "answer); {} callbacks for superseded restocks; {} crashes; {} dead-letter alerts; {} "
      "messages redriven\n",
      seeds, t.steps, t.operations, cpu_seconds,
      cpu_seconds > 0 ? static_cast<double>(t.operations) / cpu_seconds : 0.0, t.sold, t.refused,
      t.restocks, t.asks, t.reasks_lease, t.reasks_unknown, t.superseded_callbacks, t.crashes,
      t.alerts, t.redriven);
  std::cout << "faults injected:";
  for (const auto& [kind, n] : t.faults) std::cout << " " << kind << "=" << n;
  std::cout << fmt::format("\n{:<18} {:>9} {:>9} {:>5} {:>10} {:>10} {:>13} {:>9}\n", "queue",
                           "enqueued", "completed", "lost", "duplicated", "unexpected",
                           "dead-lettered", "recovered");
  for (const auto& [name, q] : t.queues) {
    std::cout << fmt::format("{:<18} {:>9} {:>9} {:>5} {:>10} {:>10} {:>13} {:>9}\n", name,
                             q.enqueued, q.completed, q.lost, q.duplicated, q.unexpected,
                             q.dead_lettered, q.recovered);
  }
}

int run(SimSettings& s) {
  let_shutdown_signals_end_the_process();
  auto plan = sim::FaultPlan::parse(s.faults);
  if (!plan) return fail(plan.error());
  s.options.faults = *plan;
  s.options.policy = *domain::parse_replenishment_policy(s.policy);  // checked by the option
  Totals totals;
  const std::clock_t started = std::clock();
  const uint64_t first = s.options.seed;
  for (uint64_t seed = first; seed < first + s.seeds; ++seed) {
    s.options.seed = seed;
    const auto report = sim::run_simulation(s.options);
    totals.add(report);
    if (s.verbose || s.seeds == 1 || report.violation) std::cout << sim::format_report(report);
    if (report.violation) {
      std::cout << "replay: donut sim --seed " << seed << " --steps " << s.options.steps
                << " --engine " << s.options.engine << " --faults " << s.faults << " --policy "
                << s.policy << "\n";
      return 1;
    }
  }
  const double cpu = static_cast<double>(std::clock() - started) / CLOCKS_PER_SEC;
  print_totals(totals, s.seeds, cpu);
  return 0;
}

}  // namespace

void add_sim_command(CLI::App& app, Action& action) {
  auto* sim = app.add_subcommand(
      "sim", "Run the shop in the deterministic simulator under faults and check invariants");
  auto s = std::make_shared<SimSettings>();
  sim->add_option("--seed", s->options.seed, "Seed of the (first) run")->capture_default_str();
  sim->add_option("--seeds", s->seeds, "How many seeds to sweep, from --seed on")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000'000}))
      ->capture_default_str();
  sim->add_option("--steps", s->options.steps, "Steps under faults per seed")
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}))
      ->capture_default_str();
  sim->add_option("--engine", s->options.engine, "Store and broker: memory | sqlite")
      ->check(CLI::IsMember({"memory", "sqlite"}))
      ->capture_default_str();
  sim->add_option("--faults", s->faults,
                  "all | none | a list of faults, each with an optional =probability "
                  "(crash,store_commit_unknown=0.05,...)")
      ->capture_default_str();
  sim->add_option("--products", s->options.products, "Products in the catalogue")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  sim->add_option("--policy", s->policy,
                  "How the products restock: at_zero | reorder_point (domain/replenishment.h)")
      ->check(CLI::IsMember({"at_zero", "reorder_point"}))
      ->capture_default_str();
  sim->add_flag("--verbose", s->verbose, "One line per seed");
  sim->callback([&action, s] { action = [s] { return run(*s); }; });
}

}  // namespace donut::cli
