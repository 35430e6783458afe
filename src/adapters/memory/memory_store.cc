#include "adapters/memory/memory_store.h"

#include <algorithm>
#include <tuple>

#include "codec/events_json.h"
#include "common/ids.h"
#include "domain/restock_plans.h"

namespace donut::memory {

using domain::OrderOutcome;

void MemoryStore::add_event(const domain::Event& event, TimePoint now) {
  const int64_t id = next_outbox_id_++;
  outbox_.emplace(id, ports::OutboxEntry{id, std::string(domain::kStockEventsTopic),
                                         std::string(domain::event_type(event)),
                                         codec::encode_event(event), now});
  if (const auto& restock_id = domain::event_restock_id(event); !restock_id.empty()) {
    add_timeline_entry(restock_id, domain::TimelineKind::queued,
                       std::string(domain::event_type(event)), now, id);
  }
}

void MemoryStore::add_timeline_entry(std::string_view restock_id, domain::TimelineKind kind,
                                     std::string detail, TimePoint at, int64_t outbox_id) {
  domain::TotalChanges counted;
  domain::count_timeline_entry(kind, counted);
  add_totals(counted);
  auto [it, inserted] = timelines_.try_emplace(std::string(restock_id));
  detail.resize(std::min<std::size_t>(detail.size(), 500));
  it->second.entries.push_back({{at, kind, std::move(detail)}, outbox_id});
}

void MemoryStore::add_totals(const domain::TotalChanges& changes) {
  for (const auto& change : changes) totals_[{change.figure, change.subject}] += change.delta;
}

std::optional<domain::RestockRecord> MemoryStore::restock_record(
    std::string_view restock_id) const {
  auto it = restocks_.find(restock_id);
  if (it == restocks_.end()) return std::nullopt;
  domain::RestockRecord record{it->second, std::nullopt, std::nullopt};
  if (auto t = timelines_.find(restock_id); t != timelines_.end()) {
    record.requested_at = t->second.requested_at;
    record.arrived_at = t->second.arrived_at;
  }
  return record;
}

domain::Product MemoryStore::read(const ProductRow& row, TimePoint now) {
  domain::Product p = row.product;
  p.figures = domain::replenishment_figures(p.replenishment, p.restock_quantity, now);
  return p;
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
  p.replenishment.settings = spec.replenishment;
  return ok();
}

Result<std::vector<domain::Product>> MemoryStore::list_products() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  std::vector<domain::Product> out;
  for (const auto& [id, row] : products_) out.push_back(read(row, now));
  return out;
}

Result<domain::Product> MemoryStore::get_product(std::string_view product_id) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = products_.find(product_id);
  if (it == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
  }
  return read(it->second, now);
}

Result<domain::Product> MemoryStore::set_stock(std::string_view product_id, int64_t stock) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = products_.find(product_id);
  if (it == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
  }
  it->second.product.stock = stock;
  return read(it->second, now);
}

Result<domain::Product> MemoryStore::set_replenishment(
    std::string_view product_id, const domain::ReplenishmentSettings& settings) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = products_.find(product_id);
  if (it == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
  }
  auto& p = it->second.product;
  DONUT_RETURN_IF_ERROR(domain::validate_replenishment(settings, p.restock_quantity));
  p.replenishment.settings = settings;
  return read(it->second, now);
}

Result<std::vector<OrderOutcome>> MemoryStore::place_orders(
    std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) {
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
                                 row.product.open_restock_id, row.restock_opened_at,
                                 row.product.replenishment});
    }
  }
  if (locked) locked();
  auto plan = domain::plan_sales(requests, snapshot, policy_, now, ids_);

  for (const auto& old : plan.restocks_superseded) {
    auto it = restocks_.find(old.restock_id);
    if (it == restocks_.end() || it->second.state != domain::RestockState::open) continue;
    it->second.state = domain::RestockState::superseded;
    domain::TotalChanges counted;
    domain::count_superseded(it->second.product_id, counted);
    add_totals(counted);
    add_timeline_entry(old.restock_id, domain::TimelineKind::superseded, old.note, now);
  }
  for (const auto& opened : plan.restocks_opened) {
    domain::TotalChanges counted;
    domain::count_opened(opened.restock, counted);
    add_totals(counted);
    add_timeline_entry(opened.restock.id, domain::TimelineKind::stock_out, opened.stock_out, now);
    restocks_.emplace(opened.restock.id, opened.restock);
    add_event(opened.event, now);
  }
  for (auto& order : plan.orders) orders_.emplace(order.id, std::move(order));
  for (const auto& change : plan.products) {
    auto& row = products_.find(change.product_id)->second;
    row.product.stock = change.state.stock;
    row.product.open_restock_id = change.state.open_restock_id;
    row.restock_opened_at = change.state.restock_opened_at;
    row.product.replenishment.demand = change.state.replenishment.demand;
    row.orders_sold += change.orders_sold;
    row.units_sold += change.units_sold;
    row.orders_refused += change.orders_refused;
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
  const auto plan = domain::plan_mark_requested(restock_record(restock_id), now, ids_);
  if (!plan.record) return false;
  auto& restock = restocks_.find(restock_id)->second;
  domain::TotalChanges counted;
  domain::count_state_change(restock.product_id, restock.state, plan.state_after, counted);
  add_totals(counted);
  restock.state = plan.state_after;
  timelines_[std::string(restock_id)].requested_at = plan.requested_at;
  add_event(plan.event, now);
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

// The rule is domain::plan_arrival; this takes its snapshot and applies its plan.
Result<domain::ArrivalOutcome> MemoryStore::apply_arrival(const domain::Arrival& arrival) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  domain::ArrivalSnapshot snapshot;
  auto product = products_.find(arrival.product_id);
  if (product != products_.end()) {
    const auto& p = product->second.product;
    snapshot.product =
        domain::ArrivalSnapshot::Product{p.stock, p.open_restock_id, p.replenishment.lead_time};
  }
  snapshot.request_applied = arrivals_.contains(arrival.request_id);
  snapshot.request_held = held_.contains(arrival.request_id);
  if (!arrival.restock_id.empty()) snapshot.restock = restock_record(arrival.restock_id);
  const auto plan = domain::plan_arrival(arrival, snapshot, now, ids_);
  domain::TotalChanges counted;
  domain::count_arrival(arrival, snapshot, plan, now, counted);
  add_totals(counted);

  if (plan.record_arrival) arrivals_.emplace(arrival.request_id, now);
  if (plan.hold)
    held_.emplace(arrival.request_id,
                  domain::HeldArrival{arrival, *plan.hold, now, std::nullopt, std::nullopt});
  if (plan.add_stock) {
    auto& p = product->second.product;
    p.stock = plan.outcome.stock_after;
    if (plan.clear_open_restock) p.open_restock_id.clear();
  }
  if (plan.lead_time) product->second.product.replenishment.lead_time = *plan.lead_time;
  if (plan.close_restock) {
    restocks_.find(arrival.restock_id)->second.state = domain::RestockState::arrived;
    timelines_[arrival.restock_id].arrived_at = now;
  }
  for (const auto& entry : plan.timeline) {
    add_timeline_entry(arrival.restock_id, entry.kind, entry.detail, now);
  }
  if (plan.event) add_event(*plan.event, now);
  return plan.outcome;
}

Result<std::vector<domain::HeldArrival>> MemoryStore::held_arrivals(std::size_t max) {
  std::lock_guard lock(mutex_);
  std::vector<domain::HeldArrival> held;
  for (const auto& [id, h] : held_) held.push_back(h);
  std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) {
    return std::tie(a.held_at, a.arrival.request_id) > std::tie(b.held_at, b.arrival.request_id);
  });
  if (held.size() > max) held.resize(max);
  return held;
}

// The rule is domain::plan_held_decision; this applies its plan.
Result<domain::HeldArrival> MemoryStore::decide_held_arrival(std::string_view request_id,
                                                             domain::HeldDecision decision) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  auto held = held_.find(request_id);
  if (held == held_.end()) {
    return make_error(ErrorCode::not_found, "no held arrival '" + std::string(request_id) + "'");
  }
  const domain::Arrival& arrival = held->second.arrival;
  auto product = products_.find(arrival.product_id);
  if (product == products_.end()) {
    return make_error(ErrorCode::not_found, "no product '" + arrival.product_id + "'");
  }
  DONUT_ASSIGN_OR_RETURN(
      auto plan,
      domain::plan_held_decision(held->second, decision, product->second.product.stock, now, ids_));
  if (!plan.record) return plan.after;
  if (plan.add_stock && !arrivals_.emplace(arrival.request_id, now).second) {
    return make_error(ErrorCode::conflict, "arrival " + arrival.request_id + " was applied");
  }
  domain::TotalChanges counted;
  domain::count_held_decision(plan, counted);
  add_totals(counted);
  product->second.product.stock = plan.stock_after;
  if (plan.timeline) {
    add_timeline_entry(arrival.restock_id, plan.timeline->kind, plan.timeline->detail, now);
  }
  if (plan.event) add_event(*plan.event, now);
  held->second = plan.after;
  return plan.after;
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

Status MemoryStore::record_restock_event(std::string_view restock_id, domain::TimelineKind kind,
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
          h.events.push_back({p->second, domain::TimelineKind::published, entry.event.detail});
        }
      }
      std::stable_sort(h.events.begin(), h.events.end(),
                       [](const auto& a, const auto& b) { return a.at < b.at; });
    }
    history.push_back(std::move(h));
  }
  return history;
}

namespace {

// Erases up to `max` entries of `rows` whose time (`time_of`) is before `older_than`.
template <class Map, class TimeOf>
int64_t erase_older(Map& rows, TimePoint older_than, std::size_t max, TimeOf time_of) {
  int64_t erased = 0;
  for (auto it = rows.begin(); it != rows.end() && static_cast<std::size_t>(erased) < max;) {
    if (time_of(it->second) < older_than) {
      it = rows.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  return erased;
}

}  // namespace

Result<int64_t> MemoryStore::prune(ports::Retained what, TimePoint older_than,
                                   std::size_t max_rows) {
  std::lock_guard lock(mutex_);
  switch (what) {
    case ports::Retained::idempotency_keys:
      return erase_older(keys_, older_than, max_rows, [](const auto& o) { return o.decided_at; });
    case ports::Retained::published_outbox:
      return erase_older(published_at_, older_than, max_rows, [](TimePoint t) { return t; });
    case ports::Retained::arrivals:
      return erase_older(arrivals_, older_than, max_rows, [](TimePoint t) { return t; });
    case ports::Retained::timeline_entries:
      break;
  }
  int64_t erased = 0;
  for (auto& [id, timeline] : timelines_) {
    auto& entries = timeline.entries;
    const auto old = std::remove_if(entries.begin(), entries.end(), [&](const auto& e) {
      if (e.event.at >= older_than || static_cast<std::size_t>(erased) >= max_rows) return false;
      ++erased;
      return true;
    });
    entries.erase(old, entries.end());
  }
  return erased;
}

Result<ports::WarehouseStats> MemoryStore::stats() {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  ports::WarehouseStats stats;
  for (const auto& [id, row] : products_) {
    ports::ProductStats p;
    p.product_id = id;
    p.stock = row.product.stock;
    p.orders = row.orders_sold;
    p.units_sold = row.units_sold;
    p.orders_refused = row.orders_refused;
    p.replenishment_settings = row.product.replenishment.settings;
    p.replenishment = read(row, now).figures;
    stats.products.push_back(std::move(p));
  }
  stats.outbox_pending = static_cast<int64_t>(outbox_.size());
  if (!outbox_.empty()) stats.outbox_oldest_pending = outbox_.begin()->second.created_at;
  for (const auto& [key, total] : totals_) ports::add_total(stats, key.first, key.second, total);
  return stats;
}

}  // namespace donut::memory
