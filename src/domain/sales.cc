#include "domain/sales.h"

#include <algorithm>
#include <unordered_map>

#include "common/assert.h"

namespace donut::domain {

bool RestockPolicy::may_open(const StockState& state, TimePoint now) const {
  if (state.restock_quantity <= 0) return false;  // restocking is off for this product
  if (state.open_restock_id.empty()) return true;
  return now - state.restock_opened_at >= stale_after;
}

SaleDecision apply_sale(StockState& state, int64_t quantity, const ReorderRule& rule,
                        const RestockPolicy& policy, TimePoint now) {
  DONUT_ASSERT(quantity > 0, "quantities are validated before they are sold");
  DONUT_ASSERT(state.stock >= 0);
  SaleDecision decision;
  if (quantity <= state.stock) {
    state.stock -= quantity;
    decision.sold = true;
  }
  decision.stock_left = state.stock;
  const bool stock_low = !decision.sold || state.stock <= rule.reorder_point;
  decision.open_restock = stock_low && policy.may_open(state, now);
  DONUT_ASSERT(state.stock >= 0, "stock never goes below zero");
  DONUT_ASSERT(!decision.open_restock || state.restock_quantity > 0);
  return decision;
}

void record_restock_opened(StockState& state, std::string restock_id, TimePoint now) {
  DONUT_ASSERT(!restock_id.empty());
  state.open_restock_id = std::move(restock_id);
  state.restock_opened_at = now;
}

namespace {

std::vector<std::string_view> sorted_unique(std::vector<std::string_view> values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

OrderOutcome replay(const OrderOutcome& first, const OrderRequest& request) {
  if (first.product_id != request.product_id || first.quantity != request.quantity) {
    OrderOutcome reused;
    reused.status = OrderStatus::key_reused;
    reused.product_id = request.product_id;
    reused.quantity = request.quantity;
    reused.decided_at = first.decided_at;
    return reused;
  }
  OrderOutcome again = first;
  again.replayed = true;
  again.restock_opened = false;
  return again;
}

// A product while the batch is decided: its state, the rule the batch is judged against, and
// what the batch did to it.
struct Working {
  ProductChange change;
  ReorderRule rule;
  int64_t units_asked = 0;  // sold or refused for want of stock: the batch's demand
  int64_t squared_units = 0;
};

std::string stock_out_note(const OrderRequest& request, const SaleDecision& decision,
                           const ReorderRule& rule) {
  const std::string quantity = std::to_string(request.quantity);
  if (!decision.sold) return "an order of " + quantity + " was refused";
  if (decision.stock_left == 0) return "order " + request.order_id + " took the last " + quantity;
  return "order " + request.order_id + " of " + quantity + " left " +
         std::to_string(decision.stock_left) + ", at or below the reorder point " +
         std::to_string(rule.reorder_point);
}

// Opens a restock for the product of `request` in `state` and the plan, superseding the stale
// one `state` names, if any.
void plan_restock(SalePlan& plan, StockState& state, const OrderRequest& request,
                  const SaleDecision& decision, const ReorderRule& rule, TimePoint now,
                  IdSource& ids) {
  OpenedRestock opened;
  opened.event = {ids.next_id(),       request.product_id,  ids.next_id(),
                  rule.order_quantity, decision.stock_left, now};
  if (!state.open_restock_id.empty()) {
    plan.restocks_superseded.push_back(
        {state.open_restock_id, opened.event.restock_id, "replaced by " + opened.event.restock_id});
  }
  record_restock_opened(state, opened.event.restock_id, now);
  opened.restock.id = opened.event.restock_id;
  opened.restock.product_id = request.product_id;
  opened.restock.quantity = rule.order_quantity;
  opened.restock.opened_at = now;
  opened.stock_out = stock_out_note(request, decision, rule);
  plan.restocks_opened.push_back(std::move(opened));
}

// The product `known` names while the batch is decided: on first sight, its state and the rule
// the batch is judged against (asked of the replenishment policy once per product and batch).
Working& working_for(std::map<std::string_view, Working>& working,
                     const std::pair<const std::string, StockState>& known, TimePoint now) {
  auto [slot, first_seen] = working.try_emplace(known.first);
  if (first_seen) {
    slot->second.change = {known.first, known.second, 0, 0, 0};
    slot->second.rule =
        reorder_rule(known.second.replenishment, known.second.restock_quantity, now);
  }
  return slot->second;
}

// Decides one order of a known product: sold or refused, the restock it opens, its outcome.
void decide(SalePlan& plan, Working& product, const OrderRequest& request, OrderOutcome& outcome,
            const RestockPolicy& policy, TimePoint now, IdSource& ids) {
  StockState& state = product.change.state;
  const SaleDecision decision = apply_sale(state, request.quantity, product.rule, policy, now);
  product.units_asked += request.quantity;
  product.squared_units += request.quantity * request.quantity;
  outcome.stock_left = decision.stock_left;
  if (decision.sold) {
    outcome.status = OrderStatus::sold;
    outcome.order_id = request.order_id;
    plan.orders.push_back({request.order_id, request.product_id, request.quantity, now});
    ++product.change.orders_sold;
    product.change.units_sold += request.quantity;
  } else {
    outcome.status = OrderStatus::out_of_stock;
    ++product.change.orders_refused;
  }
  if (decision.open_restock) {
    plan_restock(plan, state, request, decision, product.rule, now, ids);
    outcome.restock_opened = true;
  }
  if (outcome.status == OrderStatus::out_of_stock || outcome.stock_left == 0 ||
      outcome.restock_opened) {
    outcome.restock_id = state.open_restock_id;
  }
}

// Every product in `working` was asked for: its demand, at least, changes. Feeds the batch's
// demand back to the replenishment policy and moves each product's change into the plan.
void close_products(SalePlan& plan, std::map<std::string_view, Working>& working, TimePoint now) {
  for (auto& [id, product] : working) {
    StockState& state = product.change.state;
    state.replenishment.demand =
        observe_demand(state.replenishment, product.units_asked, product.squared_units, now);
    plan.products.push_back(std::move(product.change));
  }
}

}  // namespace

std::vector<std::string_view> keys_to_load(std::span<const OrderRequest> requests) {
  std::vector<std::string_view> keys;
  for (const auto& r : requests) {
    if (!r.idempotency_key.empty()) keys.push_back(r.idempotency_key);
  }
  return sorted_unique(std::move(keys));
}

std::vector<std::string_view> products_to_load(
    std::span<const OrderRequest> requests,
    const std::map<std::string, OrderOutcome, std::less<>>& known_keys) {
  std::vector<std::string_view> products;
  for (const auto& r : requests) {
    if (r.idempotency_key.empty() || !known_keys.contains(r.idempotency_key)) {
      products.push_back(r.product_id);
    }
  }
  return sorted_unique(std::move(products));
}

SalePlan plan_sales(std::span<const OrderRequest> requests, const SaleSnapshot& snapshot,
                    const RestockPolicy& policy, TimePoint now, IdSource& ids) {
  SalePlan plan;
  plan.outcomes.reserve(requests.size());
  std::map<std::string_view, Working> working;  // usually one or a few products per batch
  std::unordered_map<std::string_view, std::size_t> keys_in_batch;  // key -> outcome index

  for (const auto& request : requests) {
    const std::string& key = request.idempotency_key;
    if (!key.empty()) {
      if (auto it = keys_in_batch.find(key); it != keys_in_batch.end()) {
        plan.outcomes.push_back(replay(plan.outcomes[it->second], request));
        continue;
      }
      if (auto it = snapshot.keys.find(key); it != snapshot.keys.end()) {
        plan.outcomes.push_back(replay(it->second, request));
        continue;
      }
    }
    OrderOutcome outcome;
    outcome.product_id = request.product_id;
    outcome.quantity = request.quantity;
    outcome.decided_at = now;
    auto known = snapshot.products.find(request.product_id);
    if (known == snapshot.products.end()) {
      outcome.status = OrderStatus::unknown_product;
      plan.outcomes.push_back(std::move(outcome));
      continue;  // no key record: the product may exist by the next request
    }
    decide(plan, working_for(working, *known, now), request, outcome, policy, now, ids);
    if (!key.empty()) {
      keys_in_batch.emplace(key, plan.outcomes.size());
      plan.keys.push_back({key, plan.outcomes.size()});
    }
    plan.outcomes.push_back(std::move(outcome));
  }
  close_products(plan, working, now);
  DONUT_ASSERT(plan.outcomes.size() == requests.size(), "one outcome per request, in order");
  DONUT_ASSERT(plan.orders.size() <= requests.size());
  return plan;
}

}  // namespace donut::domain
