#include "adapters/memory/memory_store.h"

#include "codec/events_json.h"
#include "common/ids.h"

namespace donut::memory {

using domain::OrderOutcome;
using domain::OrderStatus;

void MemoryStore::add_event(const domain::Event& event, TimePoint now) {
  const int64_t id = next_outbox_id_++;
  outbox_.emplace(id, ports::OutboxEntry{id, std::string(domain::kStockEventsTopic),
                                         std::string(domain::event_type(event)),
                                         codec::encode_event(event), now});
}

Status MemoryStore::upsert_product(const domain::ProductSpec& spec) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = products_.try_emplace(spec.id);
  auto& p = it->second.product;
  if (inserted) {
    p.id = spec.id;
    p.stock = spec.initial_stock;
  }
  p.name = spec.name;
  p.price_cents = spec.price_cents;
  p.restock_quantity = spec.restock_quantity;
  return ok();
}

Result<std::vector<domain::Product>> MemoryStore::list_products() {
  std::lock_guard lock(mutex_);
  std::vector<domain::Product> out;
  for (const auto& [id, row] : products_) out.push_back(row.product);
  return out;
}

Result<domain::Product> MemoryStore::get_product(std::string_view product_id) {
  std::lock_guard lock(mutex_);
  auto it = products_.find(product_id);
  if (it == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
  }
  return it->second.product;
}

Result<domain::Product> MemoryStore::set_stock(std::string_view product_id, int64_t stock) {
  std::lock_guard lock(mutex_);
  auto it = products_.find(product_id);
  if (it == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
  }
  it->second.product.stock = stock;
  return it->second.product;
}

Result<std::vector<OrderOutcome>> MemoryStore::place_orders(
    std::span<const domain::OrderRequest> requests) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  std::vector<OrderOutcome> outcomes;
  outcomes.reserve(requests.size());
  for (const auto& request : requests) {
    if (!request.idempotency_key.empty()) {
      if (auto it = keys_.find(request.idempotency_key); it != keys_.end()) {
        const OrderOutcome& first = it->second;
        OrderOutcome again = first;
        if (first.product_id != request.product_id || first.quantity != request.quantity) {
          again = OrderOutcome{};
          again.status = OrderStatus::key_reused;
          again.product_id = request.product_id;
          again.quantity = request.quantity;
          again.decided_at = first.decided_at;
        } else {
          again.replayed = true;
        }
        outcomes.push_back(std::move(again));
        continue;
      }
    }
    OrderOutcome outcome;
    outcome.product_id = request.product_id;
    outcome.quantity = request.quantity;
    outcome.decided_at = now;
    auto it = products_.find(request.product_id);
    if (it == products_.end()) {
      outcome.status = OrderStatus::unknown_product;
      outcomes.push_back(std::move(outcome));
      continue;
    }
    auto& row = it->second;
    domain::StockState state{row.product.stock, row.product.restock_quantity,
                             row.product.open_restock_id, row.restock_opened_at};
    const auto decision = domain::apply_sale(state, request.quantity, policy_, now);
    outcome.stock_left = decision.stock_left;
    if (decision.sold) {
      outcome.status = OrderStatus::sold;
      outcome.order_id = request.order_id;
      orders_.emplace(request.order_id,
                      domain::Order{request.order_id, request.product_id, request.quantity, now});
    } else {
      outcome.status = OrderStatus::out_of_stock;
    }
    if (decision.open_restock) {
      if (!state.open_restock_id.empty()) {
        auto old = restocks_.find(state.open_restock_id);
        if (old != restocks_.end() && old->second.state == domain::RestockState::open) {
          old->second.state = domain::RestockState::superseded;
        }
      }
      domain::StockEmpty event{new_id(), request.product_id, new_id(), state.restock_quantity, now};
      domain::record_restock_opened(state, event.restock_id, now);
      domain::Restock restock;
      restock.id = event.restock_id;
      restock.product_id = event.product_id;
      restock.quantity = event.restock_quantity;
      restock.opened_at = now;
      restocks_.emplace(restock.id, restock);
      add_event(event, now);
    }
    row.product.stock = state.stock;
    row.product.open_restock_id = state.open_restock_id;
    row.restock_opened_at = state.restock_opened_at;
    if (outcome.status == OrderStatus::out_of_stock || outcome.stock_left == 0) {
      outcome.restock_id = state.open_restock_id;
    }
    if (!request.idempotency_key.empty()) keys_.emplace(request.idempotency_key, outcome);
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

Result<domain::Order> MemoryStore::get_order(std::string_view order_id) {
  std::lock_guard lock(mutex_);
  auto it = orders_.find(order_id);
  if (it == orders_.end()) {
    return make_error(ErrorCode::not_found, "no order '" + std::string(order_id) + "'");
  }
  return it->second;
}

Result<ports::RestockClaim> MemoryStore::claim_restock(std::string_view restock_id,
                                                       std::string_view owner,
                                                       TimePoint lease_until) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  ports::RestockClaim claim;
  auto it = restocks_.find(restock_id);
  if (it == restocks_.end()) return claim;
  claim.decision = domain::decide_claim(it->second, owner, now);
  if (claim.decision.verdict == domain::ClaimVerdict::granted) {
    it->second.claimed_by = std::string(owner);
    it->second.claim_expires_at = lease_until;
  }
  claim.restock = it->second;
  return claim;
}

Result<bool> MemoryStore::mark_restock_requested(std::string_view restock_id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = restocks_.find(restock_id);
  if (it == restocks_.end()) return false;
  auto& r = it->second;
  const bool eligible =
      r.state == domain::RestockState::open || r.state == domain::RestockState::arrived;
  if (!eligible || requested_recorded_.contains(restock_id)) return false;
  requested_recorded_.emplace(std::string(restock_id), true);
  if (r.state == domain::RestockState::open) r.state = domain::RestockState::requested;
  add_event(domain::RestockRequested{new_id(), r.product_id, r.id, r.quantity, now}, now);
  return true;
}

Status MemoryStore::release_restock(std::string_view restock_id, std::string_view owner) {
  std::lock_guard lock(mutex_);
  auto it = restocks_.find(restock_id);
  if (it != restocks_.end() && it->second.claimed_by == owner) {
    it->second.claimed_by.clear();
    it->second.claim_expires_at = TimePoint{};
  }
  return ok();
}

Result<domain::Restock> MemoryStore::get_restock(std::string_view restock_id) {
  std::lock_guard lock(mutex_);
  auto it = restocks_.find(restock_id);
  if (it == restocks_.end()) {
    return make_error(ErrorCode::not_found, "no restock '" + std::string(restock_id) + "'");
  }
  return it->second;
}

Result<domain::ArrivalOutcome> MemoryStore::apply_arrival(const domain::Arrival& arrival) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  domain::ArrivalOutcome outcome;
  auto product = products_.find(arrival.product_id);
  if (product == products_.end()) {
    outcome.status = domain::ArrivalStatus::unknown_product;
    return outcome;
  }
  auto& p = product->second.product;
  if (arrivals_.contains(arrival.request_id)) {
    outcome.status = domain::ArrivalStatus::duplicate;
    outcome.stock_after = p.stock;
    return outcome;
  }
  arrivals_.emplace(arrival.request_id, arrival);
  p.stock += arrival.quantity;
  if (!arrival.restock_id.empty() && p.open_restock_id == arrival.restock_id) {
    p.open_restock_id.clear();
  }
  if (auto r = restocks_.find(arrival.restock_id);
      r != restocks_.end() && r->second.state != domain::RestockState::arrived) {
    r->second.state = domain::RestockState::arrived;
  }
  outcome.stock_after = p.stock;
  add_event(domain::StockArrived{new_id(), arrival.product_id, arrival.restock_id,
                                 arrival.request_id, arrival.quantity, p.stock, now},
            now);
  return outcome;
}

Result<std::vector<ports::OutboxEntry>> MemoryStore::pending_outbox(std::size_t max_entries) {
  std::lock_guard lock(mutex_);
  std::vector<ports::OutboxEntry> out;
  for (const auto& [id, entry] : outbox_) {
    if (out.size() >= max_entries) break;
    out.push_back(entry);
  }
  return out;
}

Status MemoryStore::mark_published(std::span<const int64_t> outbox_ids) {
  std::lock_guard lock(mutex_);
  for (int64_t id : outbox_ids) outbox_.erase(id);
  return ok();
}

Result<ports::WarehouseStats> MemoryStore::stats() {
  std::lock_guard lock(mutex_);
  ports::WarehouseStats stats;
  for (const auto& [id, row] : products_) {
    ports::ProductStats p;
    p.product_id = id;
    p.stock = row.product.stock;
    for (const auto& [oid, order] : orders_) {
      if (order.product_id != id) continue;
      ++p.orders;
      p.units_sold += order.quantity;
    }
    for (const auto& [rid, arrival] : arrivals_) {
      if (arrival.product_id != id) continue;
      ++p.arrivals;
      p.units_arrived += arrival.quantity;
    }
    for (const auto& [rid, restock] : restocks_) {
      if (restock.product_id != id) continue;
      switch (restock.state) {
        case domain::RestockState::open:
          ++p.restocks_open;
          break;
        case domain::RestockState::requested:
          ++p.restocks_requested;
          break;
        case domain::RestockState::arrived:
          ++p.restocks_arrived;
          break;
        case domain::RestockState::superseded:
          ++p.restocks_superseded;
          break;
      }
    }
    stats.products.push_back(std::move(p));
  }
  stats.outbox_pending = static_cast<int64_t>(outbox_.size());
  return stats;
}

}  // namespace donut::memory
