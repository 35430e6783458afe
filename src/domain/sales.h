// The selling rule and the restock policy, as pure functions over a product's stock state.
//
// A store adapter loads a product's state once per transaction, applies every order line of
// the batch to it in arrival order with `apply_sale`, then writes the final state back. The
// rule never lets stock go below zero, and it opens at most one restock per product at a time:
// a restock opens when a sale empties the shelf or an order is refused for lack of stock, and
// only if none is open (or the open one is older than the policy's `stale_after`, which covers
// a restock whose message was purged from a dead-letter queue).
#pragma once

#include <cstdint>
#include <string>

#include "common/time.h"

namespace donut::domain {

struct StockState {
  int64_t stock = 0;
  int64_t restock_quantity = 0;
  std::string open_restock_id;  // empty: no restock open
  TimePoint restock_opened_at{};
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

// Applies one order line to `state`. Quantity must already be validated (> 0).
SaleDecision apply_sale(StockState& state, int64_t quantity, const RestockPolicy& policy,
                        TimePoint now);

void record_restock_opened(StockState& state, std::string restock_id, TimePoint now);

}  // namespace donut::domain
