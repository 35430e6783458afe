// The simulated world (simulation.h): the shop's roles over the faulty ports, the actors around
// them, and the scheduler that moves them, on one thread. Internal to the simulator; its parts
// live in their own files: the scheduler (scheduler.cc: the roles, a step, the phases of a run),
// the actors (actors.cc: customers, the Legacy Factory and its callbacks, the hooks the faulty
// ports call) and the invariant checkers (checkers.h).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/arrivals.h"
#include "app/notifier.h"
#include "app/order_service.h"
#include "app/outbox_relay.h"
#include "app/restock_handler.h"
#include "common/fnv1a.h"
#include "common/random.h"
#include "ports/factory_client.h"
#include "ports/mailer.h"
#include "sim/checkers.h"
#include "sim/faulty_ports.h"
#include "sim/sim_clock.h"
#include "sim/simulation.h"

namespace donut::sim {

inline constexpr std::string_view kCallbackSecret = "simulated-factory-secret";
inline const TimePoint kStart = from_unix_ms(1'767'225'600'000);  // 2026-01-01T00:00:00Z

enum class Role { sales, intake, relay, restock, arrivals, notifier, monitor };

// The trace: one line per event, hashed as it grows (FNV-1a over each line and its newline),
// the last lines kept.
class Trace {
 public:
  explicit Trace(std::size_t keep) : keep_(keep) {}
  void add(std::string line) {
    hash_ = fnv1a("\n", fnv1a(line, hash_));
    tail_.push_back(std::move(line));
    if (tail_.size() > keep_) tail_.pop_front();
  }
  uint64_t hash() const { return hash_; }
  std::vector<std::string> tail() const { return {tail_.begin(), tail_.end()}; }

 private:
  std::size_t keep_;
  uint64_t hash_ = kFnv1aOffset;
  std::deque<std::string> tail_;
};

// The mail server: refuses an e-mail when the dice say so.
class SimMailer final : public ports::Mailer {
 public:
  explicit SimMailer(Dice& dice) : dice_(dice) {}
  Status send(const ports::Email& email) override;
  int64_t sent() const { return sent_; }

 private:
  Dice& dice_;
  int64_t sent_ = 0;
};

// What the factory was asked about one restock.
struct FactoryAsks {
  int asks = 0;
  bool accepted_known = false;  // a worker saw an acceptance, under the lease below
  TimePoint known_lease_until{};
  bool unknown_answer = false;  // accepted, but the worker saw a timeout
};

struct Callback {
  ports::ManufactureRequest request;
  int attempts = 0;
};

class World final : public PortHooks, public ports::FactoryClient {
 public:
  explicit World(const SimOptions& options);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  SimReport run();

  // PortHooks and the factory (actors.cc).
  CrashPoint crash_point(std::string_view operation) override;
  Dice& dice() override { return dice_; }
  void on_claim(std::string_view restock_id, const ports::RestockClaim& claim,
                TimePoint lease_until) override;
  void on_arrival(const domain::Arrival& arrival, const domain::ArrivalOutcome& outcome) override;
  void on_enqueued(std::string_view queue, const ports::OutgoingMessage& message) override;
  Result<ports::FactoryAck> request_manufacture(const ports::ManufactureRequest& request) override;

 private:
  Status open_engines();
  void restart(Role role);
  void trace(std::string_view what, std::string_view detail = {});
  bool failed() const { return report_.violation.has_value(); }
  void violate(std::string invariant, std::string detail);
  void on_held(const domain::Arrival& arrival);  // an arrival the warehouse held (actors.cc)

  // The scheduler (scheduler.cc).
  void step(bool under_faults);
  void run_role(Role role, const std::function<void()>& action);
  bool run_until_quiet(std::string_view phase);
  bool quiet();
  void redrive_dead_letters();
  void consume(Role role, std::string_view queue);

  // The actors' moves (actors.cc).
  void customer_orders(bool new_orders);
  void on_answer(uint64_t generation, std::size_t index, const Result<domain::OrderOutcome>& r);
  void factory_calls_back();
  // The factory's first callback for an accepted request (maybe late), and any callback due
  // `after` from now.
  void schedule_callback(const ports::ManufactureRequest& request, Millis after);
  void add_callback(Callback callback, Millis after);

  SimOptions options_;
  SimClock clock_{kStart};
  DeterministicThread determinism_;
  Dice dice_;
  Trace trace_;
  SimReport report_;
  int64_t step_ = 0;
  std::optional<Role> current_role_;

  std::unique_ptr<ports::Store> engine_store_;
  std::unique_ptr<ports::Broker> engine_broker_;
  std::unique_ptr<FaultyStore> store_;
  std::unique_ptr<FaultyBroker> broker_;
  std::unique_ptr<StoreChecker> checker_;
  SimMailer mailer_{dice_};

  std::unique_ptr<app::OrderService> sales_;
  uint64_t sales_generation_ = 0;
  std::unique_ptr<app::ArrivalIntake> intake_;
  std::unique_ptr<app::OutboxRelay> relay_;
  std::unique_ptr<app::RestockHandler> restock_;
  std::unique_ptr<app::ArrivalHandler> arrivals_;
  std::unique_ptr<app::Notifier> notifier_;
  std::unique_ptr<app::DlqMonitor> monitor_;
  std::map<Role, int> incarnations_;

  std::vector<CustomerOrder> orders_;
  std::set<std::size_t> in_flight_;
  std::vector<std::size_t> to_retry_;
  std::map<std::string, int64_t> keys_per_product_;
  std::map<std::string, FactoryAsks, std::less<>> asks_;
  std::map<std::string, TimePoint, std::less<>> leases_;
  std::map<std::pair<int64_t, int64_t>, Callback> callbacks_;  // (due, sequence)
  int64_t callback_sequence_ = 0;
  std::set<std::string> applied_requests_;
  std::map<std::string, QueueLedger, std::less<>> ledgers_;
};

}  // namespace donut::sim
