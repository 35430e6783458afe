// The selling rule, as pure functions.
//
// `plan_sales` decides a whole batch of orders over a snapshot the store loaded inside its
// transaction (the products the batch names, the idempotency outcomes already recorded for its
// keys) and returns a plan: the answers, the rows to write and the restocks to open or
// supersede. The store applies the plan in the same transaction and decides nothing itself, so
// every engine sells by the same rule (see ports/store.h for what the whole call promises).
//
// The rule, order by order in the given order: a key seen before answers with the first
// outcome (`replayed`), or `key_reused` when product or quantity differ; an unknown product is
// refused; otherwise the order sells if the stock covers it, and stock never goes below zero.
// A restock opens when a sale leaves the stock at or below the product's reorder point (zero
// under the `at_zero` policy: the shelf is empty) or an order is refused for lack of stock, and
// only if none is open (or the open one is older than the policy's `stale_after`, which covers
// a restock whose message was purged from a dead-letter queue: the old one is superseded). It
// asks for the product's order quantity. Both come from the replenishment policy
// (replenishment.h), asked once per product and batch; the batch's demand (units sold or
// refused) is fed back to it after the batch is decided.
// Pure: no clock, no randomness but the `IdSource` it is given, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/time.h"
#include "domain/events.h"
#include "domain/order.h"
#include "domain/replenishment.h"
#include "domain/restock.h"

namespace donut::domain {

struct StockState {
  StockState() = default;
  // The replenishment state is last and optional: at_zero, nothing learned.
  StockState(int64_t stock, int64_t restock_quantity, std::string open_restock_id = {},
             TimePoint restock_opened_at = {}, ReplenishmentState replenishment = {})
      : stock(stock),
        restock_quantity(restock_quantity),
        open_restock_id(std::move(open_restock_id)),
        restock_opened_at(restock_opened_at),
        replenishment(replenishment) {}

  int64_t stock = 0;
  int64_t restock_quantity = 0;
  std::string open_restock_id;  // empty: no restock open
  TimePoint restock_opened_at{};
  ReplenishmentState replenishment;  // the operator's settings and what the warehouse learned
};

struct RestockPolicy {
  // An open restock older than this is considered lost and replaced by a new one.
  Millis stale_after = std::chrono::hours(1);

  bool may_open(const StockState& state, TimePoint now) const;
};

struct SaleDecision {
  bool sold = false;
  int64_t stock_left = 0;
  // The caller must open a restock (new id, restock row, stock.empty event) and record it in
  // the state with `record_restock_opened`.
  bool open_restock = false;
};

// Applies one order line to `state`, judged against the product's `rule` for this batch.
// Quantity must already be validated (> 0).
SaleDecision apply_sale(StockState& state, int64_t quantity, const ReorderRule& rule,
                        const RestockPolicy& policy, TimePoint now);

void record_restock_opened(StockState& state, std::string restock_id, TimePoint now);

// What the store knows before a batch is decided.
struct SaleSnapshot {
  // The products the batch names that exist; a product absent here is unknown.
  std::map<std::string, StockState, std::less<>> products;
  // The outcomes recorded under the batch's idempotency keys by earlier batches.
  std::map<std::string, OrderOutcome, std::less<>> keys;
};

// The keys and products a snapshot for `requests` must hold: every key, and the product of
// every request a recorded key does not answer. Sorted and unique, so a store that locks the
// product rows in this order never deadlocks with another batch.
std::vector<std::string_view> keys_to_load(std::span<const OrderRequest> requests);
std::vector<std::string_view> products_to_load(
    std::span<const OrderRequest> requests,
    const std::map<std::string, OrderOutcome, std::less<>>& known_keys);

struct OpenedRestock {
  Restock restock;        // state open, unclaimed, asking for the rule's order quantity
  StockEmpty event;       // for the outbox
  std::string stock_out;  // the timeline's note: which order brought the stock low or was refused
};

// A stale restock replaced by `replaced_by`; the store marks it superseded only if it is still
// open (one the factory already accepted keeps its state and may still arrive).
struct SupersededRestock {
  std::string restock_id;
  std::string replaced_by;
  std::string note;  // for the timeline
};

struct ProductChange {
  std::string product_id;
  StockState state;         // the state after the batch (its demand includes the batch's)
  int64_t orders_sold = 0;  // in this batch, for the product's sales totals
  int64_t units_sold = 0;
  int64_t orders_refused = 0;  // for want of stock: the sales lost
};

// An idempotency record to write: the key and the outcome it will replay.
struct KeyRecord {
  std::string key;
  std::size_t outcome = 0;  // index into SalePlan::outcomes
};

struct SalePlan {
  std::vector<OrderOutcome> outcomes;   // one per request, in order
  std::vector<Order> orders;            // the order rows of the sold requests
  std::vector<ProductChange> products;  // only the products whose row changes
  std::vector<OpenedRestock> restocks_opened;
  std::vector<SupersededRestock> restocks_superseded;
  std::vector<KeyRecord> keys;

  bool restock_opened() const { return !restocks_opened.empty(); }
};

SalePlan plan_sales(std::span<const OrderRequest> requests, const SaleSnapshot& snapshot,
                    const RestockPolicy& policy, TimePoint now, IdSource& ids);

}  // namespace donut::domain
