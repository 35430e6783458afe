#include "sim/faulty_ports.h"

#include <algorithm>

namespace donut::sim {
namespace {

Error simulated(std::string_view what) {
  return make_error(ErrorCode::unavailable, "simulated: " + std::string(what));
}

template <class Answer, class Perform>
Answer perform_unless_failed(Dice& dice, Perform& perform) {
  if (!dice.roll(Fault::store_fails)) return perform();
  if (dice.chance(0.5)) return Answer(simulated("the store failed"));
  return Answer(make_error(ErrorCode::timeout, "simulated: the store did not answer in time"));
}

}  // namespace

// --- store ------------------------------------------------------------------------------------

template <class Perform>
auto FaultyStore::call(std::string_view operation, bool writes, Perform&& perform)
    -> decltype(perform()) {
  const CrashPoint crash = hooks_.crash_point(operation);
  if (crash == CrashPoint::before) throw RoleCrash{std::string(operation), crash};
  using Answer = decltype(perform());
  // Before the commit: refused, or timed out (which a caller cannot tell from a commit whose
  // answer was lost, below).
  Answer result = perform_unless_failed<Answer>(hooks_.dice(), perform);
  if (crash == CrashPoint::after) throw RoleCrash{std::string(operation), crash};
  if (writes && result && hooks_.dice().roll(Fault::store_commit_unknown)) {
    return make_error(ErrorCode::timeout, "simulated: the commit's outcome is unknown");
  }
  return result;
}

Status FaultyStore::upsert_product(const domain::ProductSpec& spec) {
  return call("upsert_product", true, [&] { return engine_.upsert_product(spec); });
}
Result<std::vector<domain::Product>> FaultyStore::list_products() {
  return call("list_products", false, [&] { return engine_.list_products(); });
}
Result<domain::Product> FaultyStore::get_product(std::string_view product_id) {
  return call("get_product", false, [&] { return engine_.get_product(product_id); });
}
Result<domain::Product> FaultyStore::set_stock(std::string_view product_id, int64_t stock) {
  return call("set_stock", true, [&] { return engine_.set_stock(product_id, stock); });
}
Result<domain::Product> FaultyStore::set_replenishment(
    std::string_view product_id, const domain::ReplenishmentSettings& settings) {
  return call("set_replenishment", true,
              [&] { return engine_.set_replenishment(product_id, settings); });
}
Result<std::vector<domain::OrderOutcome>> FaultyStore::place_orders(
    std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) {
  return call("place_orders", true, [&] { return engine_.place_orders(requests, locked); });
}
Result<domain::Order> FaultyStore::get_order(std::string_view order_id) {
  return call("get_order", false, [&] { return engine_.get_order(order_id); });
}
Result<ports::RestockClaim> FaultyStore::claim_restock(std::string_view restock_id,
                                                       std::string_view owner,
                                                       TimePoint lease_until) {
  return call("claim_restock", true, [&] {
    auto claim = engine_.claim_restock(restock_id, owner, lease_until);
    if (claim) hooks_.on_claim(restock_id, *claim, lease_until);
    return claim;
  });
}
Result<bool> FaultyStore::mark_restock_requested(std::string_view restock_id) {
  return call("mark_restock_requested", true,
              [&] { return engine_.mark_restock_requested(restock_id); });
}
Status FaultyStore::release_restock(std::string_view restock_id, std::string_view owner) {
  return call("release_restock", true, [&] { return engine_.release_restock(restock_id, owner); });
}
Result<domain::Restock> FaultyStore::get_restock(std::string_view restock_id) {
  return call("get_restock", false, [&] { return engine_.get_restock(restock_id); });
}
Status FaultyStore::record_restock_event(std::string_view restock_id, domain::TimelineKind kind,
                                         std::string_view detail) {
  return call("record_restock_event", true,
              [&] { return engine_.record_restock_event(restock_id, kind, detail); });
}
Result<std::vector<ports::RestockHistory>> FaultyStore::restock_history(std::string_view product_id,
                                                                        std::size_t max) {
  return call("restock_history", false, [&] { return engine_.restock_history(product_id, max); });
}
Result<domain::ArrivalOutcome> FaultyStore::apply_arrival(const domain::Arrival& arrival) {
  return call("apply_arrival", true, [&] {
    auto outcome = engine_.apply_arrival(arrival);
    if (outcome) hooks_.on_arrival(arrival, *outcome);
    return outcome;
  });
}
Result<std::vector<domain::HeldArrival>> FaultyStore::held_arrivals(std::size_t max) {
  return call("held_arrivals", false, [&] { return engine_.held_arrivals(max); });
}
Result<domain::HeldArrival> FaultyStore::decide_held_arrival(std::string_view request_id,
                                                             domain::HeldDecision decision) {
  return call("decide_held_arrival", true,
              [&] { return engine_.decide_held_arrival(request_id, decision); });
}
Result<std::vector<ports::OutboxEntry>> FaultyStore::pending_outbox(std::size_t max_entries) {
  return call("pending_outbox", false, [&] { return engine_.pending_outbox(max_entries); });
}
Result<std::vector<ports::OutboxEntry>> FaultyStore::claim_outbox(std::string_view owner,
                                                                  std::size_t max_entries,
                                                                  Millis lease) {
  return call("claim_outbox", true,
              [&] { return engine_.claim_outbox(owner, max_entries, lease); });
}
Status FaultyStore::release_outbox(std::string_view owner, std::span<const int64_t> outbox_ids) {
  return call("release_outbox", true, [&] { return engine_.release_outbox(owner, outbox_ids); });
}
Status FaultyStore::mark_published(std::span<const int64_t> outbox_ids) {
  return call("mark_published", true, [&] { return engine_.mark_published(outbox_ids); });
}
Result<int64_t> FaultyStore::prune(ports::Retained what, TimePoint older_than,
                                   std::size_t max_rows) {
  return call("prune", true, [&] { return engine_.prune(what, older_than, max_rows); });
}
Result<ports::WarehouseStats> FaultyStore::stats() {
  return call("stats", false, [&] { return engine_.stats(); });
}
Status FaultyStore::ping() {
  return call("ping", false, [&] { return engine_.ping(); });
}

// --- broker -----------------------------------------------------------------------------------

template <class Perform>
auto FaultyBroker::call(std::string_view operation, Perform&& perform) -> decltype(perform()) {
  const CrashPoint crash = hooks_.crash_point(operation);
  if (crash == CrashPoint::before) throw RoleCrash{std::string(operation), crash};
  using Answer = decltype(perform());
  Answer result =
      hooks_.dice().roll(Fault::broker_fails) ? Answer(simulated("the broker failed")) : perform();
  if (crash == CrashPoint::after) throw RoleCrash{std::string(operation), crash};
  return result;
}

Status FaultyBroker::declare(const ports::Topology& topology) {
  topology_ = topology;
  return engine_.declare(topology);
}

std::vector<std::string> FaultyBroker::subscribers(std::string_view topic,
                                                   const ports::OutgoingMessage& message) const {
  std::vector<std::string> queues;
  for (const auto& s : topology_.subscriptions) {
    if (s.topic == topic && s.accepts(message.attributes)) queues.push_back(s.queue);
  }
  return queues;
}

Status FaultyBroker::enqueue(std::string_view operation, const ports::OutgoingMessage& message,
                             const std::vector<std::string>& targets,
                             const std::function<Status(const ports::OutgoingMessage&)>& enqueue) {
  return call(operation, [&]() -> Status {
    ports::OutgoingMessage copy = message;
    if (hooks_.dice().roll(Fault::broker_delays)) {
      copy.delay = hooks_.dice().between(Millis(1000), Millis(20000));
    }
    const int copies = hooks_.dice().roll(Fault::broker_duplicates) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
      DONUT_RETURN_IF_ERROR(enqueue(copy));
      for (const auto& queue : targets) hooks_.on_enqueued(queue, copy);
    }
    return ok();
  });
}

Status FaultyBroker::publish(std::string_view topic, const ports::OutgoingMessage& message) {
  return enqueue("publish", message, subscribers(topic, message),
                 [&](const ports::OutgoingMessage& m) { return engine_.publish(topic, m); });
}

Status FaultyBroker::send(std::string_view queue, const ports::OutgoingMessage& message) {
  return enqueue("send", message, {std::string(queue)},
                 [&](const ports::OutgoingMessage& m) { return engine_.send(queue, m); });
}

Result<std::vector<ports::ReceivedMessage>> FaultyBroker::receive(
    std::string_view queue, const ports::ReceiveOptions& options, std::stop_token stop) {
  return call("receive", [&] { return engine_.receive(queue, options, stop); });
}

Status FaultyBroker::delete_message(std::string_view queue, std::string_view receipt) {
  return call("delete_message", [&]() -> Status {
    if (hooks_.dice().roll(Fault::broker_loses_ack)) return ok();  // lost on its way
    return engine_.delete_message(queue, receipt);
  });
}

Status FaultyBroker::delete_messages(std::string_view queue,
                                     std::span<const std::string> receipts) {
  return call("delete_messages", [&]() -> Status {
    for (const auto& receipt : receipts) {
      if (hooks_.dice().roll(Fault::broker_loses_ack)) continue;
      DONUT_RETURN_IF_ERROR(engine_.delete_message(queue, receipt));
    }
    return ok();
  });
}

Status FaultyBroker::change_visibility(std::string_view queue, std::string_view receipt,
                                       Millis timeout) {
  return call("change_visibility",
              [&] { return engine_.change_visibility(queue, receipt, timeout); });
}

Result<ports::QueueStats> FaultyBroker::stats(std::string_view queue) {
  return call("stats", [&] { return engine_.stats(queue); });
}

Result<std::vector<ports::ReceivedMessage>> FaultyBroker::peek(std::string_view queue, int max) {
  return call("peek", [&] { return engine_.peek(queue, max); });
}

Result<int64_t> FaultyBroker::redrive(std::string_view dead_letter_queue, int64_t max) {
  return call("redrive", [&] { return engine_.redrive(dead_letter_queue, max); });
}

Result<int64_t> FaultyBroker::purge(std::string_view queue) {
  return call("purge", [&] { return engine_.purge(queue); });
}

}  // namespace donut::sim
