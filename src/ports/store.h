// Store port: the warehouse. Products and stock, orders, idempotency records, restocks,
// arrivals and the transactional outbox, behind one interface with one implementation per
// engine (in-memory for tests, SQLite embedded, MySQL/MariaDB).
//
// Promises every implementation keeps (checked by tests/contract/store_contract_test.cc):
// - `place_orders` decides every order of the batch in ONE transaction, in the given order.
//   Stock never goes below zero. A sold order has its order row; a stock-out that opens a
//   restock writes the restock row and its `stock.empty` outbox event in the same transaction.
//   Either the whole batch commits or the call returns an Error and nothing changed.
// - An idempotency key answers every later request with the first request's outcome
//   (`replayed`), or `key_reused` when the product or quantity differ.
// - `apply_arrival` applies a request id at most once, ever.
// - Outbox entries are returned oldest first until marked published; publishing the same
//   entry twice must be harmless for consumers (at-least-once).
// Thread-safe: any number of threads may call any method concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/time.h"
#include "domain/arrival.h"
#include "domain/order.h"
#include "domain/product.h"
#include "domain/restock.h"

namespace donut::ports {

struct OutboxEntry {
  int64_t id = 0;
  std::string topic;
  std::string type;  // event type, carried as a message attribute for subscription filters
  std::string body;  // JSON event
  TimePoint created_at{};
};

struct ProductStats {
  std::string product_id;
  int64_t stock = 0;
  int64_t orders = 0;
  int64_t units_sold = 0;
  int64_t arrivals = 0;
  int64_t units_arrived = 0;
  int64_t restocks_open = 0;
  int64_t restocks_requested = 0;
  int64_t restocks_arrived = 0;
  int64_t restocks_superseded = 0;
};

struct WarehouseStats {
  std::vector<ProductStats> products;
  int64_t outbox_pending = 0;
};

// What `claim_restock` found and did.
struct RestockClaim {
  domain::ClaimDecision decision;
  domain::Restock restock;  // valid unless decision.verdict == unknown
};

class Store {
 public:
  virtual ~Store() = default;

  // --- catalogue -------------------------------------------------------------------------
  // Creates the product with its initial stock, or updates name, price and restock quantity
  // of an existing one (stock untouched).
  virtual Status upsert_product(const domain::ProductSpec& spec) = 0;
  virtual Result<std::vector<domain::Product>> list_products() = 0;
  virtual Result<domain::Product> get_product(std::string_view product_id) = 0;  // not_found
  // Operator override of the stock level.
  virtual Result<domain::Product> set_stock(std::string_view product_id, int64_t stock) = 0;

  // --- sales -----------------------------------------------------------------------------
  virtual Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests) = 0;
  virtual Result<domain::Order> get_order(std::string_view order_id) = 0;  // not_found

  // --- restocks --------------------------------------------------------------------------
  // Takes (or renews) the lease on an open restock for `owner` until `lease_until`.
  virtual Result<RestockClaim> claim_restock(std::string_view restock_id, std::string_view owner,
                                             TimePoint lease_until) = 0;
  // The factory accepted: open -> requested, plus a `restock.requested` outbox event.
  // Returns false (and changes nothing) when the restock was no longer open.
  virtual Result<bool> mark_restock_requested(std::string_view restock_id) = 0;
  // Gives the lease back after a failed factory call so the next delivery can claim at once.
  virtual Status release_restock(std::string_view restock_id, std::string_view owner) = 0;
  virtual Result<domain::Restock> get_restock(std::string_view restock_id) = 0;  // not_found

  // --- arrivals --------------------------------------------------------------------------
  // Adds the quantity to the stock once per request id, closes the restock, and writes a
  // `stock.arrived` outbox event, all in one transaction.
  virtual Result<domain::ArrivalOutcome> apply_arrival(const domain::Arrival& arrival) = 0;

  // --- outbox ----------------------------------------------------------------------------
  virtual Result<std::vector<OutboxEntry>> pending_outbox(std::size_t max_entries) = 0;
  virtual Status mark_published(std::span<const int64_t> outbox_ids) = 0;

  // --- operations ------------------------------------------------------------------------
  virtual Result<WarehouseStats> stats() = 0;
  virtual Status ping() = 0;  // cheap round trip; `unavailable` when the engine is down
};

}  // namespace donut::ports
