// The shop in a deterministic simulator: the real application code (OrderService, the store
// engines, OutboxRelay, RestockHandler, ArrivalIntake/ArrivalHandler, Notifier, DlqMonitor, the
// broker's visibility timeouts, receive counts, redrive, delays and fan-out) driven by one seeded
// scheduler on one thread with simulated time. Customers, the Legacy Factory and its callbacks
// are simulated actors; faults (faults.h) are injected at every port call.
//
// A run has three phases: `steps` steps under faults; then, faults off, steps until the system
// is quiet (no order waiting, nothing in the outbox, no message in any queue, no callback due);
// then the operator redrives every dead-letter queue and the system runs quiet again. The
// invariants are checked after every step and at each quiet point; the first one broken ends the
// run with a `Violation` naming the step, the invariant and the trace's last events.
//
// The same seed and options give the same run, event for event: `trace_hash` hashes every line
// of the trace. Not thread-safe: one run per thread (it seeds the thread's id generator).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/planted_defects.h"
#include "domain/replenishment.h"
#include "sim/faults.h"

namespace donut::sim {

struct SimOptions {
  uint64_t seed = 1;
  int64_t steps = 2000;           // steps under faults (then the run goes on until quiet)
  std::string engine = "memory";  // memory | sqlite (the SQLite store and broker in memory)
  FaultPlan faults = FaultPlan::all();
  int products = 3;
  int64_t initial_stock = 3;
  int64_t restock_quantity = 5;
  // How every product restocks (at_zero, or at its reorder point with at most ten restock
  // quantities per restock).
  domain::ReplenishmentPolicy policy = domain::ReplenishmentPolicy::at_zero;
  std::size_t trace_tail = 30;  // trace lines kept for a violation's report
};

// Jepsen's total-queue checker for one work queue, by message identity (its body): every message
// enqueued should be handled to completion at least once.
struct QueueReport {
  std::string queue;
  int64_t enqueued = 0;       // distinct messages enqueued (copies of one message count once)
  int64_t completed = 0;      // distinct messages a handler finished
  int64_t lost = 0;           // enqueued, never finished: a violation
  int64_t duplicated = 0;     // finished more than once (at-least-once; harmless by design)
  int64_t unexpected = 0;     // finished, never enqueued: a violation
  int64_t dead_lettered = 0;  // distinct messages seen in the dead-letter queue
  int64_t recovered = 0;      // dead-lettered, then finished after the operator's redrive
};

struct Violation {
  int64_t step = 0;
  std::string invariant;
  std::string detail;
  std::vector<std::string> trace_tail;
};

struct SimReport {
  uint64_t seed = 0;
  int64_t steps = 0;       // all phases
  int64_t operations = 0;  // port calls, customer requests and factory calls
  std::vector<std::pair<std::string, int64_t>> faults;  // injected, by kind
  std::vector<QueueReport> queues;
  int64_t orders_sold = 0;  // answered 201 (first answers, not replays)
  int64_t orders_refused = 0;
  int64_t restocks = 0;
  int64_t arrivals_applied = 0;
  int64_t callbacks_for_superseded = 0;  // the factory reporting a restock replaced since
  int64_t arrivals_held = 0;  // held for the operator: in the simulation, superseded restocks only
  int64_t factory_asks = 0;
  int64_t reasks_after_lease_expiry = 0;    // asked again: the lease truly ran out
  int64_t reasks_after_unknown_answer = 0;  // asked again: the worker never saw the acceptance
  int64_t crashes = 0;
  int64_t dead_letter_alerts = 0;
  int64_t redriven = 0;
  uint64_t trace_hash = 0;
  std::optional<Violation> violation;
};

SimReport run_simulation(const SimOptions& options);

// A sweep's figures, for humans (`donut sim`).
std::string format_report(const SimReport& report);

}  // namespace donut::sim
