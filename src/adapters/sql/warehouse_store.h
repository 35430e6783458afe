// The warehouse (Store port, see ports/store.h) over any SQL engine with the same small API:
// SQLite for the embedded default, MySQL/MariaDB for self-hosted and RDS. The transactions, the
// selling rule's use and the outbox writes are written once here; each engine supplies its
// `Database` (pooled connections, cached prepared statements, `transaction` and
// `with_connection`) and a `Dialect` with the few statements whose syntax differs:
//
//   kUpsertProduct        insert a product or update its name, price, restock quantity and
//                         replenishment settings
//   kInsertSalesRowIfNew  the product's row of sales totals, unless it exists
//   kSelectProductLocked  the product row (DONUT_SQL_PRODUCT_COLUMNS), locked for the rest of
//                         the transaction
//   kSelectStockLocked    id, stock, restock quantity, open restock and its age, and the
//                         replenishment state (DONUT_SQL_REPLENISHMENT_COLUMNS), locked
//   kSelectRestockLocked  the restock row, locked
//   kSelectHeldLocked     a held arrival (DONUT_SQL_HELD_COLUMNS) by request id, locked
//   kInsertArrivalIfNew   insert an arrival unless its request id exists (0 rows changed)
//   kAddToTotal           add to a running total (figure, subject, delta), creating it at 0
//   kPrune...             delete up to N rows older than a time, oldest first: (time, N); the
//                         keys', the outbox's, the timeline's and the arrivals' statement
//   inserted_id(c, s)     the id of the row an INSERT added
//   kPipelinedBatches     how many sale transactions may usefully run at once
//                         (Store::pipelined_batches)
//
// An UPDATE's row count means rows *matched* on every engine (MySQL connects with
// CLIENT_FOUND_ROWS), so "0" is "no such row", never "already that value".
//
// Every method is one transaction. `place_orders` reads (and locks) each product of the batch
// once, runs the domain's selling rule over the batch in order, and writes each product once,
// so a batch of N orders for one hot product costs one read, one update of the product and one
// of its sales totals, N order inserts (in multi-row statements) and one commit. Thread-safe as its
// Database is.
#pragma once

#include <memory>
#include <string>
#include <string_view>

// A product's replenishment state as its row keeps it (domain/replenishment.h), in the order
// the store reads it; and a whole product row. Macros, so that each dialect's statements are
// string literals.
#define DONUT_SQL_REPLENISHMENT_COLUMNS                                                \
  "replenishment_policy, max_restock_quantity, service_level_bp, demand_fast_micros, " \
  "demand_slow_micros, demand_square_micros, demand_at_ms, lead_time_ms, "             \
  "lead_time_deviation_ms, lead_time_arrivals"
#define DONUT_SQL_PRODUCT_COLUMNS                    \
  "id, name, price_cents, stock, restock_quantity, " \
  "open_restock_id, " DONUT_SQL_REPLENISHMENT_COLUMNS

// A held arrival's row, in the order the store reads it.
#define DONUT_SQL_HELD_COLUMNS                                                         \
  "request_id, restock_id, product_id, quantity, factory_id, received_at_ms, reason, " \
  "held_at_ms, decision, decided_at_ms"

#include "domain/sales.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::sql {

namespace detail {

// Runs `s`, a failure named by `what` and classified by the statement's own error (a connection
// lost mid-batch is `unavailable`, a duplicate key `conflict`). The connection's last error is
// no substitute: MySQL's is gone once a failed statement has been reset for the cache, and it
// would read as an `internal` error with no message.
template <class Statement>
Status run_named(Statement& s, std::string_view what) {
  auto ran = s.run();
  if (ran) return ok();
  return make_error(ran.error().code, std::string(what) + ": " + ran.error().message);
}

}  // namespace detail

template <class Database, class Dialect>
class WarehouseStore final : public ports::Store {
 public:
  WarehouseStore(std::shared_ptr<Database> db, const ports::Clock& clock,
                 domain::RestockPolicy policy = {});

  Status upsert_product(const domain::ProductSpec& spec) override;
  Result<std::vector<domain::Product>> list_products() override;
  Result<domain::Product> get_product(std::string_view product_id) override;
  Result<domain::Product> set_stock(std::string_view product_id, int64_t stock) override;
  Result<domain::Product> set_replenishment(std::string_view product_id,
                                            const domain::ReplenishmentSettings& settings) override;
  using ports::Store::place_orders;
  Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) override;
  std::size_t pipelined_batches() const override { return Dialect::kPipelinedBatches; }
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
  std::shared_ptr<Database> db_;
  const ports::Clock& clock_;
  domain::RestockPolicy policy_;
  UlidSource ids_;
};

}  // namespace donut::sql
