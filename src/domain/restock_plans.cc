#include "domain/restock_plans.h"

#include "common/assert.h"
#include "common/planted_defects.h"

namespace donut::domain {

RequestedPlan plan_mark_requested(const std::optional<RestockRecord>& restock, TimePoint now,
                                  IdSource& ids) {
  RequestedPlan plan;
  if (!restock || restock->requested_at) return plan;
  const Restock& r = restock->restock;
  if (r.state != RestockState::open && r.state != RestockState::arrived) return plan;
  plan.record = true;
  plan.state_after = r.state == RestockState::open ? RestockState::requested : r.state;
  plan.requested_at = now;
  plan.event = {ids.next_id(), r.product_id, r.id, r.quantity, now};
  DONUT_ASSERT(plan.state_after == RestockState::requested ||
               plan.state_after == RestockState::arrived);
  return plan;
}

namespace {

std::string arrived_note(const Arrival& arrival, int64_t stock_after) {
  return std::to_string(arrival.quantity) + " added (request " + arrival.request_id + ", factory " +
         arrival.factory_id + ", called back at " + format_rfc3339(arrival.received_at) +
         "); stock " + std::to_string(stock_after);
}

ArrivalPlan duplicate(const Arrival& arrival, int64_t stock) {
  ArrivalPlan plan;
  plan.outcome.status = ArrivalStatus::duplicate;
  plan.outcome.stock_after = stock;
  if (!arrival.restock_id.empty()) {
    plan.timeline.push_back({TimelineKind::duplicate_arrival,
                             "request " + arrival.request_id + " was already applied"});
  }
  return plan;
}

}  // namespace

ArrivalPlan plan_arrival(const Arrival& arrival, const ArrivalSnapshot& snapshot, TimePoint now,
                         IdSource& ids) {
  DONUT_ASSERT(arrival.quantity > 0, "an arrival's quantity is validated at the intake");
  if (!snapshot.product) {
    ArrivalPlan plan;
    plan.outcome.status = ArrivalStatus::unknown_product;
    return plan;
  }
  const auto& product = *snapshot.product;
  DONUT_ASSERT(product.stock >= 0);
  if (snapshot.request_applied && !planted::is_planted(planted::Defect::arrival_applied_twice)) {
    return duplicate(arrival, product.stock);
  }
  ArrivalPlan plan;
  plan.outcome.status = ArrivalStatus::applied;
  plan.outcome.stock_after = product.stock + arrival.quantity;
  plan.record_arrival = !snapshot.request_applied;
  plan.add_stock = true;
  plan.clear_open_restock =
      !arrival.restock_id.empty() && product.open_restock_id == arrival.restock_id;
  plan.close_restock = snapshot.restock.has_value() && !snapshot.restock->arrived_at;
  if (plan.close_restock) {
    plan.lead_time =
        observe_lead_time(product.lead_time, now - snapshot.restock->restock.opened_at);
  }
  if (!arrival.restock_id.empty()) {
    plan.timeline.push_back(
        {TimelineKind::arrived, arrived_note(arrival, plan.outcome.stock_after)});
  }
  plan.event = StockArrived{ids.next_id(),
                            arrival.product_id,
                            arrival.restock_id,
                            arrival.request_id,
                            arrival.quantity,
                            plan.outcome.stock_after,
                            now};
  DONUT_ASSERT(plan.outcome.stock_after > product.stock, "an arrival only adds stock");
  DONUT_ASSERT(!plan.close_restock || snapshot.restock->restock.id == arrival.restock_id);
  return plan;
}

}  // namespace donut::domain
