// Store port in memory: the fake used by handler tests and the reference the SQLite adapter
// is compared with by the shared contract suite. Same promises as ports/store.h, without
// durability. One mutex guards everything; fine for tests, not meant for load.
#pragma once

#include <map>
#include <mutex>
#include <optional>

#include "domain/events.h"
#include "domain/figures.h"
#include "domain/restock_plans.h"
#include "domain/sales.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::memory {

class MemoryStore : public ports::Store {
 public:
  explicit MemoryStore(const ports::Clock& clock, domain::RestockPolicy policy = {})
      : clock_(clock), policy_(policy) {}

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
  Status ping() override { return ok(); }

 private:
  struct ProductRow {
    domain::Product product;  // its figures are computed when it is read
    TimePoint restock_opened_at{};
    // Its sales, as the SQL stores' product_sales row keeps them.
    int64_t orders_sold = 0, units_sold = 0, orders_refused = 0;
  };
  struct TimelineEntry {
    ports::RestockEvent event;
    int64_t outbox_id = 0;  // a queued event's outbox entry
  };
  struct Timeline {
    std::optional<TimePoint> requested_at, arrived_at;
    std::vector<TimelineEntry> entries;
  };
  // The product as read at `now`: with its policy's figures.
  static domain::Product read(const ProductRow& row, TimePoint now);
  void add_event(const domain::Event& event, TimePoint now);
  void add_timeline_entry(std::string_view restock_id, domain::TimelineKind kind,
                          std::string detail, TimePoint at, int64_t outbox_id = 0);
  void add_totals(const domain::TotalChanges& changes);  // under mutex_
  // The restock with its requested and arrived times; nullopt if unknown. Called under mutex_.
  std::optional<domain::RestockRecord> restock_record(std::string_view restock_id) const;

  const ports::Clock& clock_;
  domain::RestockPolicy policy_;
  UlidSource ids_;
  std::mutex mutex_;
  std::map<std::string, ProductRow, std::less<>> products_;
  std::map<std::string, domain::Order, std::less<>> orders_;
  std::map<std::string, domain::OrderOutcome, std::less<>> keys_;
  std::map<std::string, domain::Restock, std::less<>> restocks_;
  std::map<std::string, TimePoint, std::less<>> arrivals_;        // request id -> applied at
  std::map<std::string, domain::HeldArrival, std::less<>> held_;  // by request id, never pruned
  std::map<int64_t, ports::OutboxEntry> outbox_;                  // pending only
  std::map<int64_t, TimePoint> published_at_;  // of entries that are on a timeline
  struct OutboxClaim {
    std::string owner;
    TimePoint until;
  };
  std::map<int64_t, OutboxClaim> outbox_claims_;  // of pending entries
  std::map<std::string, Timeline, std::less<>> timelines_;
  std::map<std::pair<std::string, std::string>, int64_t> totals_;  // domain/figures.h
  int64_t next_outbox_id_ = 1;
};

}  // namespace donut::memory
