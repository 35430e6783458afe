// The store and the broker as the simulated roles see them: the real engine behind a decorator
// that injects the faults of faults.h and reports what happened to the simulation (PortHooks).
//
// Crashes are exceptions (`RoleCrash`) thrown from a port call, before the engine was called or
// after it returned: the role's step is abandoned there, with only what the engine made durable,
// as when a process is killed. Every other fault is an error value or a changed delivery, as
// the real engines produce them. One thread (the simulator's).
#pragma once

#include <string>
#include <string_view>

#include "ports/broker.h"
#include "ports/store.h"
#include "sim/faults.h"

namespace donut::sim {

enum class CrashPoint { none, before, after };

struct RoleCrash {
  std::string operation;  // the port call the role died in
  CrashPoint at = CrashPoint::before;
};

class PortHooks {
 public:
  virtual ~PortHooks() = default;
  // Called once per port call (counted as an operation): where, if anywhere, the calling role
  // dies in it.
  virtual CrashPoint crash_point(std::string_view operation) = 0;
  virtual Dice& dice() = 0;
  // What the engines did, for the invariants and the total-queue report.
  virtual void on_claim(std::string_view restock_id, const ports::RestockClaim& claim,
                        TimePoint lease_until) = 0;
  virtual void on_arrival(const domain::Arrival& arrival,
                          const domain::ArrivalOutcome& outcome) = 0;
  virtual void on_enqueued(std::string_view queue, const ports::OutgoingMessage& message) = 0;
};

class FaultyStore final : public ports::Store {
 public:
  FaultyStore(ports::Store& engine, PortHooks& hooks) : engine_(engine), hooks_(hooks) {}

  Status upsert_product(const domain::ProductSpec& spec) override;
  Result<std::vector<domain::Product>> list_products() override;
  Result<domain::Product> get_product(std::string_view product_id) override;
  Result<domain::Product> set_stock(std::string_view product_id, int64_t stock) override;
  Result<domain::Product> set_replenishment(std::string_view product_id,
                                            const domain::ReplenishmentSettings& settings) override;
  using ports::Store::place_orders;
  Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) override;
  Result<domain::Order> get_order(std::string_view order_id) override;
  Result<ports::RestockClaim> claim_restock(std::string_view restock_id, std::string_view owner,
                                            TimePoint lease_until) override;
  Result<bool> mark_restock_requested(std::string_view restock_id) override;
  Status release_restock(std::string_view restock_id, std::string_view owner) override;
  Result<domain::Restock> get_restock(std::string_view restock_id) override;
  Status record_restock_event(std::string_view restock_id, domain::TimelineKind kind,
                              std::string_view detail) override;
  Result<std::vector<ports::RestockHistory>> restock_history(std::string_view product_id,
                                                             std::size_t max) override;
  Result<domain::ArrivalOutcome> apply_arrival(const domain::Arrival& arrival) override;
  Result<std::vector<domain::HeldArrival>> held_arrivals(std::size_t max) override;
  Result<domain::HeldArrival> decide_held_arrival(std::string_view request_id,
                                                  domain::HeldDecision decision) override;
  Result<std::vector<ports::OutboxEntry>> pending_outbox(std::size_t max_entries) override;
  Result<std::vector<ports::OutboxEntry>> claim_outbox(std::string_view owner,
                                                       std::size_t max_entries,
                                                       Millis lease) override;
  Status release_outbox(std::string_view owner, std::span<const int64_t> outbox_ids) override;
  Status mark_published(std::span<const int64_t> outbox_ids) override;
  Result<int64_t> prune(ports::Retained what, TimePoint older_than, std::size_t max_rows) override;
  Result<ports::WarehouseStats> stats() override;
  Status ping() override;

 private:
  // Runs `perform` under the faults of one store call; `writes`: it changes the warehouse, so
  // its commit may also be "unknown" to the caller.
  template <class Perform>
  auto call(std::string_view operation, bool writes, Perform&& perform) -> decltype(perform());

  ports::Store& engine_;
  PortHooks& hooks_;
};

class FaultyBroker final : public ports::Broker {
 public:
  FaultyBroker(ports::Broker& engine, PortHooks& hooks) : engine_(engine), hooks_(hooks) {}

  Status declare(const ports::Topology& topology) override;
  Status publish(std::string_view topic, const ports::OutgoingMessage& message) override;
  Status send(std::string_view queue, const ports::OutgoingMessage& message) override;
  Result<std::vector<ports::ReceivedMessage>> receive(std::string_view queue,
                                                      const ports::ReceiveOptions& options,
                                                      std::stop_token stop) override;
  Status delete_message(std::string_view queue, std::string_view receipt) override;
  Status delete_messages(std::string_view queue, std::span<const std::string> receipts) override;
  Status change_visibility(std::string_view queue, std::string_view receipt,
                           Millis timeout) override;
  Result<ports::QueueStats> stats(std::string_view queue) override;
  Result<std::vector<ports::ReceivedMessage>> peek(std::string_view queue, int max) override;
  Result<int64_t> redrive(std::string_view dead_letter_queue, int64_t max) override;
  Result<int64_t> purge(std::string_view queue) override;

 private:
  template <class Perform>
  auto call(std::string_view operation, Perform&& perform) -> decltype(perform());
  // Enqueues through `enqueue` once, twice (duplicated) or late (delayed), as the dice say,
  // and reports each copy to every queue `targets` names.
  Status enqueue(std::string_view operation, const ports::OutgoingMessage& message,
                 const std::vector<std::string>& targets,
                 const std::function<Status(const ports::OutgoingMessage&)>& enqueue);
  std::vector<std::string> subscribers(std::string_view topic,
                                       const ports::OutgoingMessage& message) const;

  ports::Broker& engine_;
  PortHooks& hooks_;
  ports::Topology topology_;
};

}  // namespace donut::sim
