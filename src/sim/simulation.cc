#include "sim/simulation.h"

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "app/arrivals.h"
#include "app/notifier.h"
#include "app/order_service.h"
#include "app/outbox_relay.h"
#include "app/queue_consumer.h"
#include "app/restock_handler.h"
#include "app/topology.h"
#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "common/random.h"
#include "sim/faulty_ports.h"
#include "sim/sim_clock.h"

namespace donut::sim {
namespace {

constexpr std::string_view kCallbackSecret = "simulated-factory-secret";
const TimePoint kStart = from_unix_ms(1'767'225'600'000);  // 2026-01-01T00:00:00Z

enum class Role { sales, intake, relay, restock, arrivals, notifier, monitor };
constexpr std::string_view kRoleNames[] = {"sales",    "intake",   "relay",  "restock",
                                           "arrivals", "notifier", "monitor"};
std::string_view name_of(Role role) {
  return kRoleNames[static_cast<int>(role)];
}

// The trace: one line per event, hashed as it grows (FNV-1a), the last lines kept.
class Trace {
 public:
  explicit Trace(std::size_t keep) : keep_(keep) {}
  void add(std::string line) {
    for (const unsigned char c : line) hash_ = (hash_ ^ c) * 1099511628211ull;
    hash_ = (hash_ ^ '\n') * 1099511628211ull;
    tail_.push_back(std::move(line));
    if (tail_.size() > keep_) tail_.pop_front();
  }
  uint64_t hash() const { return hash_; }
  std::vector<std::string> tail() const { return {tail_.begin(), tail_.end()}; }

 private:
  std::size_t keep_;
  uint64_t hash_ = 14695981039346656037ull;
  std::deque<std::string> tail_;
};

// The mail server: refuses an e-mail when the dice say so.
class SimMailer final : public ports::Mailer {
 public:
  explicit SimMailer(Dice& dice) : dice_(dice) {}
  Status send(const ports::Email& email) override {
    DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
    if (dice_.roll(Fault::mail_fails)) {
      return make_error(ErrorCode::unavailable, "simulated: the mail server refused");
    }
    ++sent_;
    return ok();
  }
  int64_t sent() const { return sent_; }

 private:
  Dice& dice_;
  int64_t sent_ = 0;
};

// A customer's order, kept until it is answered: retried with the same idempotency key after an
// error or a lost answer, as a careful client would.
struct CustomerOrder {
  std::string key;
  std::string product_id;
  int64_t quantity = 0;
  int attempts = 0;
  bool answered = false;
  std::string sold_order_id;  // the order the warehouse sold under this key
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

// A message's identity in the total-queue report: its body (copies of one message share it).
std::size_t identity_of(const std::string& body) {
  return std::hash<std::string>{}(body);
}

struct QueueLedger {
  std::map<std::size_t, int> enqueued;
  std::map<std::size_t, int> completed;
  std::set<std::size_t> dead_lettered;
  std::set<std::size_t> awaiting_recovery;  // redriven, not finished since
  int64_t recovered = 0;
};

class World final : public PortHooks, public ports::FactoryClient {
 public:
  explicit World(const SimOptions& options);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;
  SimReport run();

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

  // The scheduler.
  void step(bool under_faults);
  void run_role(Role role, const std::function<void()>& action);
  bool run_until_quiet(std::string_view phase);
  bool quiet();
  void redrive_dead_letters();

  // The actors' moves.
  void customer_orders(bool new_orders);
  void on_answer(uint64_t generation, std::size_t index, const Result<domain::OrderOutcome>& r);
  void consume(Role role, std::string_view queue);
  void factory_calls_back();
  // The factory's first callback for an accepted request (maybe late), and any callback due
  // `after` from now.
  void schedule_callback(const ports::ManufactureRequest& request, Millis after);
  void add_callback(Callback callback, Millis after);

  // The invariants.
  void check_step();
  void check_product(const ports::ProductStats& p);
  void check_stock_outs_end();
  void check_final();
  void check_ledgers();

  SimOptions options_;
  SimClock clock_{kStart};
  DeterministicThread determinism_;
  Dice dice_;
  Trace trace_;
  SimReport report_;
  int64_t step_ = 0;
  std::optional<Role> current_role_;

  std::shared_ptr<sqlite::Database> db_;
  std::unique_ptr<ports::Store> engine_store_;
  std::unique_ptr<ports::Broker> engine_broker_;
  std::unique_ptr<FaultyStore> store_;
  std::unique_ptr<FaultyBroker> broker_;
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

World::World(const SimOptions& options)
    : options_(options),
      determinism_(options.seed, [this] { return to_unix_ms(clock_.now()); }),
      dice_(options.seed * 0x9E3779B97F4A7C15ull + 1, options.faults),
      trace_(options.trace_tail) {
  report_.seed = options.seed;
  for (const auto& queue : app::work_queues()) ledgers_[queue];
}

World::~World() {
  ++sales_generation_;  // the orders still queued are refused to nobody
  sales_.reset();
}

Status World::open_engines() {
  if (options_.engine == "sqlite") {
    DONUT_ASSIGN_OR_RETURN(db_, sqlite::Database::open({":memory:", 1, false}));
    engine_store_ = std::make_unique<sqlite::SqliteStore>(db_, clock_, domain::RestockPolicy{});
    engine_broker_ = std::make_unique<sqlite::SqliteBroker>(db_, clock_);
  } else if (options_.engine == "memory") {
    engine_store_ = std::make_unique<memory::MemoryStore>(clock_);
    engine_broker_ = std::make_unique<memory::MemoryBroker>(clock_);
  } else {
    return make_error(ErrorCode::invalid_argument, "--engine must be 'memory' or 'sqlite'");
  }
  store_ = std::make_unique<FaultyStore>(*engine_store_, *this);
  broker_ = std::make_unique<FaultyBroker>(*engine_broker_, *this);
  DONUT_RETURN_IF_ERROR(broker_->declare(app::pipeline_topology({})));
  for (int i = 1; i <= options_.products; ++i) {
    DONUT_RETURN_IF_ERROR(
        engine_store_->upsert_product({"donut-" + std::to_string(i), "Donut " + std::to_string(i),
                                       250, options_.initial_stock, options_.restock_quantity}));
  }
  return ok();
}

void World::restart(Role role) {
  const std::string incarnation = std::to_string(++incarnations_[role]);
  const app::MailSettings mail{"donut-states@sim", {"warehouse@sim"}};
  switch (role) {
    case Role::sales: {
      ++sales_generation_;  // answers of the old process never reach their customers
      sales_.reset();
      sales_ = std::make_unique<app::OrderService>(
          *store_, app::OrderService::Options{app::OrderService::Strategy::caller_commits, 64, {}});
      for (auto index : in_flight_) to_retry_.push_back(index);
      in_flight_.clear();
      break;
    }
    case Role::intake: {
      app::ArrivalIntake::Options o;
      o.secret = std::string(kCallbackSecret);
      intake_ = std::make_unique<app::ArrivalIntake>(*broker_, clock_, o);
      break;
    }
    case Role::relay:
      relay_ = std::make_unique<app::OutboxRelay>(*store_, *broker_, Millis(500));
      break;
    case Role::restock: {
      app::RestockHandler::Options o;
      o.worker_id = "restock-" + incarnation;
      restock_ = std::make_unique<app::RestockHandler>(*store_, *this, clock_, o);
      break;
    }
    case Role::arrivals:
      arrivals_ = std::make_unique<app::ArrivalHandler>(*store_);
      break;
    case Role::notifier:
      notifier_ = std::make_unique<app::Notifier>(mailer_, mail, store_.get());
      break;
    case Role::monitor: {
      std::vector<std::string> dlqs;
      for (const auto& q : app::work_queues()) dlqs.push_back(app::dead_letter_queue_of(q));
      monitor_ = std::make_unique<app::DlqMonitor>(*broker_, mailer_, mail, dlqs, Millis(1000));
      break;
    }
  }
}

void World::trace(std::string_view what, std::string_view detail) {
  trace_.add(fmt::format("{} +{}ms {} {}", step_, to_unix_ms(clock_.now()) - to_unix_ms(kStart),
                         what, detail));
}

void World::violate(std::string invariant, std::string detail) {
  if (failed()) return;
  trace("VIOLATION", invariant + ": " + detail);
  report_.violation = Violation{step_, std::move(invariant), std::move(detail), trace_.tail()};
}

// --- hooks ------------------------------------------------------------------------------------

CrashPoint World::crash_point(std::string_view) {
  ++report_.operations;
  if (!current_role_ || !dice_.roll(Fault::crash)) return CrashPoint::none;
  return dice_.chance(0.5) ? CrashPoint::before : CrashPoint::after;
}

void World::on_claim(std::string_view restock_id, const ports::RestockClaim& claim,
                     TimePoint lease_until) {
  if (claim.decision.verdict == domain::ClaimVerdict::granted) {
    leases_[std::string(restock_id)] = lease_until;
  }
}

void World::on_arrival(const domain::Arrival& arrival, const domain::ArrivalOutcome& outcome) {
  if (outcome.status != domain::ArrivalStatus::applied) return;
  ++report_.arrivals_applied;
  trace("arrival applied",
        arrival.request_id + " +" + std::to_string(arrival.quantity) + " " + arrival.product_id);
  if (!applied_requests_.insert(arrival.request_id).second) {
    violate("an arrival is applied at most once", "request " + arrival.request_id +
                                                      " was applied again (stock now " +
                                                      std::to_string(outcome.stock_after) + ")");
  }
}

void World::on_enqueued(std::string_view queue, const ports::OutgoingMessage& message) {
  auto ledger = ledgers_.find(queue);
  if (ledger != ledgers_.end()) ++ledger->second.enqueued[identity_of(message.body)];
}

// --- the factory ------------------------------------------------------------------------------

Result<ports::FactoryAck> World::request_manufacture(const ports::ManufactureRequest& request) {
  ++report_.operations;
  ++report_.factory_asks;
  FactoryAsks& a = asks_[request.request_id];
  if (a.asks > 0 && a.accepted_known) {
    if (clock_.now() < a.known_lease_until) {
      violate("the factory is asked once per restock unless its lease expired",
              "restock " + request.request_id + " asked again " +
                  std::to_string((a.known_lease_until - clock_.now()).count()) +
                  " ms before the lease under which it was accepted ends");
    }
    ++report_.reasks_after_lease_expiry;
  } else if (a.asks > 0 && a.unknown_answer) {
    ++report_.reasks_after_unknown_answer;
  }
  ++a.asks;
  if (dice_.roll(Fault::factory_slow))
    clock_.sleep_for(dice_.between(Millis(2000), Millis(8000)), {});
  if (dice_.roll(Fault::factory_fails)) {
    trace("factory fails", request.request_id);
    return make_error(ErrorCode::unavailable, "simulated: the factory answered 503");
  }
  schedule_callback(request, dice_.between(Millis(1000), Millis(30000)));
  if (dice_.roll(Fault::factory_calls_back_twice)) {
    schedule_callback(request, dice_.between(Millis(1000), Millis(40000)));
  }
  if (dice_.roll(Fault::factory_times_out_after_accepting)) {
    a.unknown_answer = true;
    clock_.sleep_for(Millis(10000), {});
    trace("factory accepts, worker times out", request.request_id);
    return make_error(ErrorCode::timeout, "simulated: no answer from the factory in 10 s");
  }
  a.accepted_known = true;
  const auto lease = leases_.find(request.request_id);
  a.known_lease_until = lease != leases_.end() ? lease->second : clock_.now();
  trace("factory accepts", request.request_id + " " + request.product_id);
  return ports::FactoryAck{"accepted"};
}

void World::schedule_callback(const ports::ManufactureRequest& request, Millis after) {
  if (dice_.roll(Fault::factory_calls_back_late)) {
    after += dice_.between(Millis(300'000), Millis(3'600'000));
  }
  add_callback(Callback{request, 0}, after);
}

void World::add_callback(Callback callback, Millis after) {
  callbacks_.emplace(std::pair{to_unix_ms(clock_.now() + after), ++callback_sequence_},
                     std::move(callback));
}

void World::factory_calls_back() {
  if (callbacks_.empty() || callbacks_.begin()->first.first > to_unix_ms(clock_.now())) return;
  Callback callback = std::move(callbacks_.begin()->second);
  callbacks_.erase(callbacks_.begin());
  ++report_.operations;
  if (auto restock = engine_store_->get_restock(callback.request.request_id);
      restock && restock->state == domain::RestockState::superseded) {
    ++report_.callbacks_for_superseded;  // accepted unseen, then replaced by a newer restock
  }
  const std::string body = codec::encode_manufacture_request(callback.request);
  const int64_t seconds = to_unix_ms(clock_.now()) / 1000;
  const bool forged = dice_.roll(Fault::factory_wrong_signature);
  const std::string signature =
      codec::sign_callback(forged ? "not-the-secret" : kCallbackSecret, seconds, body);
  bool accepted = false;
  run_role(Role::intake, [&] {
    accepted = intake_->accept(std::to_string(seconds), signature, body).has_value();
  });
  trace(forged ? "forged callback" : "callback",
        callback.request.request_id + (accepted ? " accepted" : " refused"));
  if (forged && accepted) {
    violate("a callback with a wrong signature is refused", callback.request.request_id);
  }
  if (!accepted || forged) {  // the factory tries again later
    ++callback.attempts;
    add_callback(std::move(callback), dice_.between(Millis(1000), Millis(30000)));
  }
}

// --- customers --------------------------------------------------------------------------------

void World::customer_orders(bool new_orders) {
  std::size_t index = 0;
  if (!to_retry_.empty() && (!new_orders || dice_.chance(0.5))) {
    const auto pick = static_cast<std::size_t>(dice_.between(0, std::ssize(to_retry_) - 1));
    index = to_retry_[pick];
    to_retry_.erase(to_retry_.begin() + static_cast<std::ptrdiff_t>(pick));
  } else if (new_orders) {
    CustomerOrder order;
    order.key = "key-" + std::to_string(orders_.size() + 1);
    order.product_id = "donut-" + std::to_string(dice_.between(1, options_.products));
    order.quantity = dice_.between(1, 2);
    ++keys_per_product_[order.product_id];
    index = orders_.size();
    orders_.push_back(std::move(order));
  } else {
    return;
  }
  CustomerOrder& order = orders_[index];
  ++order.attempts;
  ++report_.operations;
  in_flight_.insert(index);
  trace("order", order.key + " " + std::to_string(order.quantity) + " x " + order.product_id);
  domain::OrderRequest request{
      "order-" + std::to_string(index + 1) + "-" + std::to_string(order.attempts), order.product_id,
      order.quantity, order.key};
  sales_->submit(std::move(request),
                 [this, generation = sales_generation_, index](Result<domain::OrderOutcome> r) {
                   on_answer(generation, index, r);
                 });
}

void World::on_answer(uint64_t generation, std::size_t index,
                      const Result<domain::OrderOutcome>& r) {
  if (generation != sales_generation_) return;  // the process died; restart() requeued it
  in_flight_.erase(index);
  CustomerOrder& order = orders_[index];
  if (!r) {
    to_retry_.push_back(index);
    return;
  }
  order.answered = true;
  if (r->status == domain::OrderStatus::out_of_stock) {
    ++report_.orders_refused;
    return;
  }
  if (r->status != domain::OrderStatus::sold) {
    violate("an order is sold or refused for want of stock",
            order.key + " answered " + std::string(domain::to_string(r->status)));
    return;
  }
  trace("sold", order.key + " as " + r->order_id + (r->replayed ? " (replayed)" : ""));
  auto stored = engine_store_->get_order(r->order_id);
  if (!stored || stored->product_id != order.product_id || stored->quantity != order.quantity) {
    violate("every order answered 201 is in the store", order.key + " as " + r->order_id);
  }
  if (order.sold_order_id.empty()) {
    order.sold_order_id = r->order_id;
    ++report_.orders_sold;
  } else if (order.sold_order_id != r->order_id) {
    violate("no idempotency key is sold twice",
            order.key + " sold as " + order.sold_order_id + " and " + r->order_id);
  }
}

// --- roles and the scheduler ------------------------------------------------------------------

void World::run_role(Role role, const std::function<void()>& action) {
  current_role_ = role;
  try {
    action();
  } catch (const RoleCrash& crash) {
    ++report_.crashes;
    trace("crash", std::string(name_of(role)) +
                       (crash.at == CrashPoint::before ? " before " : " after ") + crash.operation);
    current_role_.reset();
    restart(role);
  }
  current_role_.reset();
}

void World::consume(Role role, std::string_view queue) {
  run_role(role, [&] {
    ports::ReceiveOptions receive;
    receive.max_messages = static_cast<int>(dice_.between(1, 10));
    auto messages = broker_->receive(queue, receive, {});
    if (!messages || messages->empty()) return;
    std::vector<app::MessageResult> results;
    if (role == Role::restock) results = restock_->handle(*messages, {});
    if (role == Role::arrivals) results = arrivals_->handle(*messages, {});
    if (role == Role::notifier) results = notifier_->handle(*messages, {});
    auto& ledger = ledgers_[std::string(queue)];
    int done = 0;
    for (std::size_t i = 0; i < messages->size() && i < results.size(); ++i) {
      if (!results[i].done) continue;
      ++done;
      const auto id = identity_of((*messages)[i].body);
      ++ledger.completed[id];
      if (ledger.awaiting_recovery.erase(id) > 0) ++ledger.recovered;
    }
    trace(std::string(queue),
          std::to_string(messages->size()) + " received, " + std::to_string(done) + " done");
    app::settle_batch(*broker_, queue, *messages, results);
  });
}

void World::step(bool under_faults) {
  ++step_;
  clock_.advance(dice_.between(Millis(0), under_faults ? Millis(400) : Millis(3000)));
  if (dice_.roll(Fault::clock_jumps)) {
    const Millis jump = dice_.between(Millis(60'000), Millis(5'400'000));
    clock_.advance(jump);
    trace("clock jumps", std::to_string(jump.count()) + " ms");
  }
  switch (dice_.between(0, 9)) {
    case 0:
    case 1:
      customer_orders(under_faults);
      break;
    case 2:
      run_role(Role::sales, [&] { sales_->commit_queued(); });
      break;
    case 3:
      run_role(Role::relay, [&] { (void)relay_->drain(); });
      break;
    case 4:
      consume(Role::restock, app::kFactoryRequestsQueue);
      break;
    case 5:
      consume(Role::arrivals, app::kStockArrivalsQueue);
      break;
    case 6:
      consume(Role::notifier, app::kNotificationsQueue);
      break;
    case 7:
      run_role(Role::monitor, [&] { report_.dead_letter_alerts += monitor_->check_once(); });
      break;
    default:
      factory_calls_back();
      break;
  }
  check_step();
}

bool World::quiet() {
  if (!in_flight_.empty() || !to_retry_.empty() || sales_->queued() > 0 || !callbacks_.empty()) {
    return false;
  }
  auto stats = engine_store_->stats();
  if (!stats || stats->outbox_pending > 0) return false;
  for (const auto& queue : app::work_queues()) {
    auto s = engine_broker_->stats(queue);
    if (!s || s->visible + s->in_flight + s->delayed > 0) return false;
  }
  return true;
}

bool World::run_until_quiet(std::string_view phase) {
  dice_.set_faults_enabled(false);
  for (int64_t i = 0; i < 200'000 && !failed(); ++i) {
    if (i % 16 == 0 && quiet()) {
      trace("quiet", phase);
      return true;
    }
    step(false);
  }
  violate("the shop goes quiet once the faults stop", std::string(phase));
  return false;
}

void World::redrive_dead_letters() {
  for (const auto& queue : app::work_queues()) {
    const auto dlq = app::dead_letter_queue_of(queue);
    auto& ledger = ledgers_[queue];
    if (auto waiting = engine_broker_->peek(dlq, 100'000)) {
      for (const auto& m : *waiting) {
        const auto id = identity_of(m.body);
        ledger.dead_lettered.insert(id);
        ledger.awaiting_recovery.insert(id);
      }
    }
    if (auto moved = engine_broker_->redrive(dlq, 100'000)) {
      report_.redriven += *moved;
      if (*moved > 0) trace("operator redrives", dlq + ": " + std::to_string(*moved));
    } else {
      violate("the operator can redrive every dead-letter queue", moved.error().message);
    }
  }
}

// --- invariants -------------------------------------------------------------------------------

void World::check_product(const ports::ProductStats& p) {
  const std::string id = p.product_id;
  if (p.stock < 0) violate("stock is never negative", id + ": " + std::to_string(p.stock));
  if (options_.initial_stock + p.units_arrived - p.units_sold != p.stock) {
    violate("initial + applied arrivals - sold = stock",
            fmt::format("{}: {} + {} - {} != {}", id, options_.initial_stock, p.units_arrived,
                        p.units_sold, p.stock));
  }
  // `open`: not yet accepted by the factory. A requested restock older than the policy's
  // stale_after may still arrive while a new one is open (domain/sales.h), so it is not counted.
  if (p.restocks_open > 1) {
    violate("at most one open restock per product",
            fmt::format("{}: {} open, {} requested", id, p.restocks_open, p.restocks_requested));
  }
  if (p.orders > keys_per_product_[id]) {
    violate("no idempotency key is sold twice",
            fmt::format("{}: {} orders from {} keys", id, p.orders, keys_per_product_[id]));
  }
}

void World::check_step() {
  auto stats = engine_store_->stats();
  if (!stats) return violate("the store answers the checker", stats.error().message);
  for (const auto& p : stats->products) check_product(p);
}

// At the first quiet point: every restock that has not arrived waits in a dead-letter queue,
// where the operator sees it.
void World::check_stock_outs_end() {
  auto history = engine_store_->restock_history("", 1'000'000);
  if (!history) return violate("the store answers the checker", history.error().message);
  std::string dead_letters;
  for (const auto& queue : app::work_queues()) {
    auto waiting = engine_broker_->peek(app::dead_letter_queue_of(queue), 100'000);
    for (const auto& m : waiting ? *waiting : std::vector<ports::ReceivedMessage>{}) {
      dead_letters += m.body;
    }
  }
  for (const auto& h : *history) {
    const auto state = h.restock.state;
    if (state != domain::RestockState::open && state != domain::RestockState::requested) continue;
    if (dead_letters.find(h.restock.id) == std::string::npos) {
      violate("every stock-out ends in an arrival or a dead letter",
              "restock " + h.restock.id + " of " + h.restock.product_id + " is " +
                  std::string(domain::to_string(state)) + " and in no dead-letter queue");
    }
  }
}

void World::check_final() {
  auto stats = engine_store_->stats();
  if (!stats) return violate("the store answers the checker", stats.error().message);
  std::map<std::string, int64_t> sold_keys;
  for (const auto& order : orders_) {
    if (!order.answered) violate("every order is answered", order.key);
    if (order.sold_order_id.empty()) continue;
    ++sold_keys[order.product_id];
    if (!engine_store_->get_order(order.sold_order_id)) {
      violate("every order answered 201 is in the store", order.key);
    }
  }
  for (const auto& p : stats->products) {
    report_.restocks += p.restocks_arrived + p.restocks_superseded;
    if (p.orders != sold_keys[p.product_id]) {
      violate("every order answered 201 is in the store exactly once",
              fmt::format("{}: {} orders in the store, {} keys sold", p.product_id, p.orders,
                          sold_keys[p.product_id]));
    }
    if (p.restocks_open + p.restocks_requested > 0) {
      violate("a redrive completes every stock-out", p.product_id);
    }
  }
  check_ledgers();
}

void World::check_ledgers() {
  for (auto& [queue, ledger] : ledgers_) {
    QueueReport r;
    r.queue = queue;
    r.enqueued = std::ssize(ledger.enqueued);
    r.completed = std::ssize(ledger.completed);
    for (const auto& [id, n] : ledger.enqueued) r.lost += ledger.completed.contains(id) ? 0 : 1;
    for (const auto& [id, n] : ledger.completed) {
      r.duplicated += n > 1 ? 1 : 0;
      r.unexpected += ledger.enqueued.contains(id) ? 0 : 1;
    }
    r.dead_lettered = std::ssize(ledger.dead_lettered);
    r.recovered = ledger.recovered;
    if (r.lost > 0) violate("no message is lost", fmt::format("{}: {} lost", queue, r.lost));
    if (r.unexpected > 0) {
      violate("no message appears from nowhere",
              fmt::format("{}: {} unexpected", queue, r.unexpected));
    }
    report_.queues.push_back(r);
  }
}

SimReport World::run() {
  if (auto opened = open_engines(); !opened) {
    violate("the engines open", opened.error().message);
    return report_;
  }
  for (Role role : {Role::sales, Role::intake, Role::relay, Role::restock, Role::arrivals,
                    Role::notifier, Role::monitor}) {
    restart(role);
  }
  incarnations_.clear();
  while (step_ < options_.steps && !failed()) step(true);
  if (!failed() && run_until_quiet("after the faults")) check_stock_outs_end();
  if (!failed()) {
    redrive_dead_letters();
    if (run_until_quiet("after the redrive")) check_final();
  }
  report_.steps = step_;
  for (std::size_t i = 0; i < kFaultKinds; ++i) {
    const auto fault = static_cast<Fault>(i);
    report_.faults.emplace_back(std::string(to_string(fault)), dice_.injected(fault));
  }
  report_.trace_hash = trace_.hash();
  return report_;
}

}  // namespace

SimReport run_simulation(const SimOptions& options) {
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::off);  // the code under test logs every injected fault
  SimReport report = World(options).run();
  spdlog::set_level(level);
  return report;
}

}  // namespace donut::sim

namespace donut::sim {

std::string format_report(const SimReport& r) {
  std::string out = fmt::format(
      "seed {}: {} steps, {} operations; {} orders sold, {} refused; {} restocks, {} arrivals "
      "applied ({} callbacks for superseded restocks); factory asked {} times ({} again after a "
      "lease expired, {} after an answer lost); {} crashes; {} dead-letter alerts, {} redriven; "
      "trace {:016x}\n",
      r.seed, r.steps, r.operations, r.orders_sold, r.orders_refused, r.restocks,
      r.arrivals_applied, r.callbacks_for_superseded, r.factory_asks, r.reasks_after_lease_expiry,
      r.reasks_after_unknown_answer, r.crashes, r.dead_letter_alerts, r.redriven, r.trace_hash);
  if (r.violation) {
    out += fmt::format("VIOLATION at step {}: {}\n  {}\nlast events:\n", r.violation->step,
                       r.violation->invariant, r.violation->detail);
    for (const auto& line : r.violation->trace_tail) out += "  " + line + "\n";
  }
  return out;
}

}  // namespace donut::sim
