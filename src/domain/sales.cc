#include "domain/sales.h"

namespace donut::domain {

bool RestockPolicy::may_open(const StockState& state, TimePoint now) const {
  if (state.restock_quantity <= 0) return false;  // restocking is off for this product
  if (state.open_restock_id.empty()) return true;
  return now - state.restock_opened_at >= stale_after;
}

SaleDecision apply_sale(StockState& state, int64_t quantity, const RestockPolicy& policy,
                        TimePoint now) {
  SaleDecision decision;
  if (quantity <= state.stock) {
    state.stock -= quantity;
    decision.sold = true;
  }
  decision.stock_left = state.stock;
  const bool shelf_empty = !decision.sold || state.stock == 0;
  decision.open_restock = shelf_empty && policy.may_open(state, now);
  return decision;
}

void record_restock_opened(StockState& state, std::string restock_id, TimePoint now) {
  state.open_restock_id = std::move(restock_id);
  state.restock_opened_at = now;
}

}  // namespace donut::domain
