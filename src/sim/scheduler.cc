// The scheduler: the roles restarted after a crash, one step (time moves, then one role, actor
// or the monitor moves, then the invariants are checked), and the phases of a run
// (simulation.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "adapters/sqlite/sqlite_store.h"
#include "app/queue_consumer.h"
#include "app/topology.h"
#include "sim/world.h"

namespace donut::sim {
namespace {

constexpr std::string_view kRoleNames[] = {"sales",    "intake",   "relay",  "restock",
                                           "arrivals", "notifier", "monitor"};
std::string_view name_of(Role role) {
  return kRoleNames[static_cast<int>(role)];
}

}  // namespace

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
    DONUT_ASSIGN_OR_RETURN(auto db, sqlite::Database::open({":memory:", 1, false}));
    engine_store_ = std::make_unique<sqlite::SqliteStore>(db, clock_, domain::RestockPolicy{});
    engine_broker_ = std::make_unique<sqlite::SqliteBroker>(db, clock_);
  } else if (options_.engine == "memory") {
    engine_store_ = std::make_unique<memory::MemoryStore>(clock_);
    engine_broker_ = std::make_unique<memory::MemoryBroker>(clock_);
  } else {
    return make_error(ErrorCode::invalid_argument, "--engine must be 'memory' or 'sqlite'");
  }
  store_ = std::make_unique<FaultyStore>(*engine_store_, *this);
  broker_ = std::make_unique<FaultyBroker>(*engine_broker_, *this);
  checker_ = std::make_unique<StoreChecker>(
      *engine_store_, *engine_broker_,
      StoreChecker::Catalogue{options_.initial_stock, options_.restock_quantity,
                              domain::RestockPolicy{}.stale_after},
      [this](std::string invariant, std::string detail) {
        violate(std::move(invariant), std::move(detail));
      });
  DONUT_RETURN_IF_ERROR(broker_->declare(app::pipeline_topology({})));
  for (int i = 1; i <= options_.products; ++i) {
    DONUT_RETURN_IF_ERROR(
        engine_store_->upsert_product({"donut-" + std::to_string(i),
                                       "Donut " + std::to_string(i),
                                       250,
                                       options_.initial_stock,
                                       options_.restock_quantity,
                                       {options_.policy, 0, domain::kDefaultServiceLevelBp}}));
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
          *store_,
          app::OrderService::Options{app::OrderService::Strategy::caller_commits, 64, {}, {}, 0});
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
      ledger.completed((*messages)[i].body);
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
  checker_->after_step(keys_per_product_);
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
      for (const auto& m : *waiting) ledger.dead_lettered(m.body);
    }
    if (auto moved = engine_broker_->redrive(dlq, 100'000)) {
      report_.redriven += *moved;
      if (*moved > 0) trace("operator redrives", dlq + ": " + std::to_string(*moved));
    } else {
      violate("the operator can redrive every dead-letter queue", moved.error().message);
    }
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
  if (!failed() && run_until_quiet("after the faults")) checker_->at_first_quiet();
  if (!failed()) {
    redrive_dead_letters();
    if (run_until_quiet("after the redrive")) {
      report_.restocks += checker_->at_the_end(orders_);
      const Violate violate = [this](std::string invariant, std::string detail) {
        this->violate(std::move(invariant), std::move(detail));
      };
      for (const auto& [queue, ledger] : ledgers_) {
        report_.queues.push_back(ledger.report(queue, violate));
      }
    }
  }
  report_.steps = step_;
  for (std::size_t i = 0; i < kFaultKinds; ++i) {
    const auto fault = static_cast<Fault>(i);
    report_.faults.emplace_back(std::string(to_string(fault)), dice_.injected(fault));
  }
  report_.trace_hash = trace_.hash();
  return report_;
}

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
      "applied ({} callbacks for superseded restocks, {} arrivals held); factory asked {} times "
      "({} again after a lease expired, {} after an answer lost); {} crashes; {} dead-letter "
      "alerts, {} redriven; trace {:016x}\n",
      r.seed, r.steps, r.operations, r.orders_sold, r.orders_refused, r.restocks,
      r.arrivals_applied, r.callbacks_for_superseded, r.arrivals_held, r.factory_asks,
      r.reasks_after_lease_expiry, r.reasks_after_unknown_answer, r.crashes, r.dead_letter_alerts,
      r.redriven, r.trace_hash);
  if (r.violation) {
    out += fmt::format("VIOLATION at step {}: {}\n  {}\nlast events:\n", r.violation->step,
                       r.violation->invariant, r.violation->detail);
    for (const auto& line : r.violation->trace_tail) out += "  " + line + "\n";
  }
  return out;
}

}  // namespace donut::sim
