#include "adapters/memory/memory_store.h"

#include <algorithm>

#include "codec/events_json.h"
#include "common/ids.h"
#include "common/planted_defects.h"

namespace donut::memory {

using domain::OrderOutcome;

void MemoryStore::add_event(const domain::Event& event, TimePoint now) {
  const int64_t id = next_outbox_id_++;
  outbox_.emplace(id, ports::OutboxEntry{id, std::string(domain::kStockEventsTopic),
                                         std::string(domain::event_type(event)),
                                         codec::encode_event(event), now});
  if (const auto& restock_id = domain::event_restock_id(event); !restock_id.empty()) {
    add_timeline_entry(restock_id, "queued", std::string(domain::event_type(event)), now, id);
  }
}

void MemoryStore::add_timeline_entry(std::string_view restock_id, std::string_view kind,
                                     std::string detail, TimePoint at, int64_t outbox_id) {
  auto [it, inserted] = timelines_.try_emplace(std::string(restock_id));
  detail.resize(std::min<std::size_t>(detail.size(), 500));
  it->second.entries.push_back({{at, std::string(kind), std::move(detail)}, outbox_id});
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
  domain::SaleSnapshot snapshot;
  for (std::string_view key : domain::keys_to_load(requests)) {
    if (auto it = keys_.find(key); it != keys_.end()) snapshot.keys.emplace(key, it->second);
  }
  for (std::string_view id : domain::products_to_load(requests, snapshot.keys)) {
    if (auto it = products_.find(id); it != products_.end()) {
      const auto& row = it->second;
      snapshot.products.emplace(
          id, domain::StockState{row.product.stock, row.product.restock_quantity,
                                 row.product.open_restock_id, row.restock_opened_at});
    }
  }
  auto plan = domain::plan_sales(requests, snapshot, policy_, now, ids_);

  for (const auto& old : plan.restocks_superseded) {
    auto it = restocks_.find(old.restock_id);
    if (it == restocks_.end() || it->second.state != domain::RestockState::open) continue;
    it->second.state = domain::RestockState::superseded;
    add_timeline_entry(old.restock_id, "superseded", old.note, now);
  }
  for (const auto& opened : plan.restocks_opened) {
    add_timeline_entry(opened.restock.id, "stock_out", opened.stock_out, now);
    restocks_.emplace(opened.restock.id, opened.restock);
    add_event(opened.event, now);
  }
  for (auto& order : plan.orders) orders_.emplace(order.id, std::move(order));
  for (const auto& change : plan.products) {
    auto& row = products_.find(change.product_id)->second;
    row.product.stock = change.state.stock;
    row.product.open_restock_id = change.state.open_restock_id;
    row.restock_opened_at = change.state.restock_opened_at;
  }
  for (const auto& record : plan.keys) keys_.emplace(record.key, plan.outcomes[record.outcome]);
  return std::move(plan.outcomes);
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
  timelines_[std::string(restock_id)].requested_at = now;
  if (r.state == domain::RestockState::open) r.state = domain::RestockState::requested;
  add_event(domain::RestockRequested{ids_.next_id(), r.product_id, r.id, r.quantity, now}, now);
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
  if (arrivals_.contains(arrival.request_id) &&
      !planted::is_planted(planted::Defect::arrival_applied_twice)) {
    outcome.status = domain::ArrivalStatus::duplicate;
    outcome.stock_after = p.stock;
    if (!arrival.restock_id.empty()) {
      add_timeline_entry(arrival.restock_id, "duplicate_arrival",
                         "request " + arrival.request_id + " was already applied", now);
    }
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
  if (!arrival.restock_id.empty()) {
    if (restocks_.contains(arrival.restock_id)) timelines_[arrival.restock_id].arrived_at = now;
    add_timeline_entry(arrival.restock_id, "arrived",
                       std::to_string(arrival.quantity) + " added (request " + arrival.request_id +
                           ", factory " + arrival.factory_id + ", called back at " +
                           format_rfc3339(arrival.received_at) + "); stock " +
                           std::to_string(p.stock),
                       now);
  }
  add_event(domain::StockArrived{ids_.next_id(), arrival.product_id, arrival.restock_id,
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

Result<std::vector<ports::OutboxEntry>> MemoryStore::claim_outbox(std::string_view owner,
                                                                  std::size_t max_entries,
                                                                  Millis lease) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  std::vector<ports::OutboxEntry> out;
  for (const auto& [id, entry] : outbox_) {
    if (out.size() >= max_entries) break;
    if (auto held = outbox_claims_.find(id);
        held != outbox_claims_.end() && held->second.until > now) {
      continue;
    }
    outbox_claims_[id] = {std::string(owner), now + lease};
    out.push_back(entry);
  }
  return out;
}

Status MemoryStore::release_outbox(std::string_view owner, std::span<const int64_t> outbox_ids) {
  std::lock_guard lock(mutex_);
  for (int64_t id : outbox_ids) {
    if (auto held = outbox_claims_.find(id);
        held != outbox_claims_.end() && held->second.owner == owner) {
      outbox_claims_.erase(held);
    }
  }
  return ok();
}

Status MemoryStore::mark_published(std::span<const int64_t> outbox_ids) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  for (int64_t id : outbox_ids) {
    if (outbox_.erase(id) > 0) published_at_.emplace(id, now);
    outbox_claims_.erase(id);
  }
  return ok();
}

Status MemoryStore::record_restock_event(std::string_view restock_id, std::string_view kind,
                                         std::string_view detail) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  add_timeline_entry(restock_id, kind, std::string(detail), now);
  return ok();
}

Result<std::vector<ports::RestockHistory>> MemoryStore::restock_history(std::string_view product_id,
                                                                        std::size_t max) {
  std::lock_guard lock(mutex_);
  std::vector<const domain::Restock*> chosen;
  for (const auto& [id, restock] : restocks_) {
    if (product_id.empty() || restock.product_id == product_id) chosen.push_back(&restock);
  }
  std::sort(chosen.begin(), chosen.end(), [](const auto* a, const auto* b) {
    return a->opened_at != b->opened_at ? a->opened_at > b->opened_at : a->id < b->id;
  });
  if (chosen.size() > max) chosen.resize(max);
  std::vector<ports::RestockHistory> history;
  for (const auto* restock : chosen) {
    ports::RestockHistory h;
    h.restock = *restock;
    if (auto t = timelines_.find(restock->id); t != timelines_.end()) {
      h.requested_at = t->second.requested_at;
      h.arrived_at = t->second.arrived_at;
      for (const auto& entry : t->second.entries) {
        h.events.push_back(entry.event);
        if (auto p = published_at_.find(entry.outbox_id);
            entry.outbox_id != 0 && p != published_at_.end()) {
          h.events.push_back({p->second, "published", entry.event.detail});
        }
      }
      std::stable_sort(h.events.begin(), h.events.end(),
                       [](const auto& a, const auto& b) { return a.at < b.at; });
    }
    history.push_back(std::move(h));
  }
  return history;
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
      p.count_restocks(restock.state, 1);
    }
    stats.products.push_back(std::move(p));
  }
  stats.outbox_pending = static_cast<int64_t>(outbox_.size());
  if (!outbox_.empty()) stats.outbox_oldest_pending = outbox_.begin()->second.created_at;
  std::map<std::string, int64_t> kinds;
  for (const auto& [restock_id, timeline] : timelines_) {
    for (const auto& entry : timeline.entries) ++kinds[entry.event.kind];
    const auto restock = restocks_.find(restock_id);
    if (!timeline.arrived_at || restock == restocks_.end()) continue;
    const double seconds =
        std::chrono::duration<double>(*timeline.arrived_at - restock->second.opened_at).count();
    ++stats.lead_times.count;
    stats.lead_times.sum_seconds += seconds;
    for (std::size_t i = 0; i < std::size(ports::kLeadTimeBounds); ++i) {
      if (seconds <= ports::kLeadTimeBounds[i]) ++stats.lead_times.cumulative[i];
    }
  }
  stats.restock_event_counts.assign(kinds.begin(), kinds.end());
  return stats;
}

}  // namespace donut::memory
