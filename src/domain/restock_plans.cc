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

ArrivalPlan duplicate(const Arrival& arrival, int64_t stock, std::string_view what) {
  ArrivalPlan plan;
  plan.outcome.status = ArrivalStatus::duplicate;
  plan.outcome.stock_after = stock;
  if (!arrival.restock_id.empty()) {
    plan.timeline.push_back(
        {TimelineKind::duplicate_arrival,
         "request " + arrival.request_id + " was already " + std::string(what)});
  }
  return plan;
}

// The `stock.arrived` event of an arrival applied to the stock, which is then `stock_after`.
StockArrived arrived_event(const Arrival& arrival, int64_t stock_after, TimePoint now,
                           IdSource& ids) {
  return {ids.next_id(),
          arrival.product_id,
          arrival.restock_id,
          arrival.request_id,
          arrival.quantity,
          stock_after,
          now};
}

bool has_arrived(const RestockRecord& restock) {
  return restock.arrived_at || restock.restock.state == RestockState::arrived;
}

// Whether the restock of `snapshot` arrived with this very request: the restock worker asks with
// the restock's id as the request id, and a restock arrives only when that request is applied.
bool answered_before(const Arrival& arrival, const ArrivalSnapshot& snapshot) {
  return snapshot.restock && has_arrived(*snapshot.restock) &&
         arrival.request_id == snapshot.restock->restock.id;
}

// Why an arrival naming the restock of `snapshot` answers no restock the shop waits for;
// nullopt when it answers one (open or requested).
std::optional<HeldReason> hold_reason(const ArrivalSnapshot& snapshot) {
  if (!snapshot.restock) return HeldReason::unknown_restock;
  if (has_arrived(*snapshot.restock)) return HeldReason::already_arrived;
  if (snapshot.restock->restock.state == RestockState::superseded) {
    return HeldReason::superseded_restock;
  }
  return std::nullopt;
}

std::string held_note(const Arrival& arrival, HeldReason reason) {
  return std::to_string(arrival.quantity) + " held for the operator, not added (request " +
         arrival.request_id + ", factory " + arrival.factory_id + ", " +
         std::string(to_string(reason)) + ")";
}

ArrivalPlan hold(const Arrival& arrival, HeldReason reason, int64_t stock, bool restock_known) {
  ArrivalPlan plan;
  plan.outcome.status = ArrivalStatus::held;
  plan.outcome.stock_after = stock;
  plan.hold = reason;
  if (restock_known)
    plan.timeline.push_back({TimelineKind::held_arrival, held_note(arrival, reason)});
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
  const bool applied_again =
      snapshot.request_applied && planted::is_planted(planted::Defect::arrival_applied_twice);
  if (snapshot.request_applied && !applied_again) {
    return duplicate(arrival, product.stock, "applied");
  }
  if (snapshot.request_held) return duplicate(arrival, product.stock, "held for the operator");
  if (answered_before(arrival, snapshot) && !applied_again) {
    // Its arrivals row was pruned, but its restock arrived with this very request: a late
    // redelivery, not a delivery to hold (releasing it would add the units twice).
    return duplicate(arrival, product.stock, "applied: its restock arrived with it");
  }
  const auto reason = hold_reason(snapshot);
  if (reason && !applied_again) {
    return hold(arrival, *reason, product.stock, snapshot.restock.has_value());
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
  plan.event = arrived_event(arrival, plan.outcome.stock_after, now, ids);
  DONUT_ASSERT(plan.outcome.stock_after > product.stock, "an arrival only adds stock");
  DONUT_ASSERT(!plan.close_restock || snapshot.restock->restock.id == arrival.restock_id);
  return plan;
}

Result<HeldDecisionPlan> plan_held_decision(const HeldArrival& held, HeldDecision decision,
                                            int64_t stock, TimePoint now, IdSource& ids) {
  DONUT_ASSERT(stock >= 0);
  HeldDecisionPlan plan;
  plan.after = held;
  plan.stock_after = stock;
  const Arrival& arrival = held.arrival;
  if (held.decision) {
    if (*held.decision == decision) return plan;
    return make_error(ErrorCode::conflict, "held arrival " + arrival.request_id + " was already " +
                                               std::string(to_string(*held.decision)));
  }
  plan.record = true;
  plan.after.decision = decision;
  plan.after.decided_at = now;
  const bool restock_known = held.reason != HeldReason::unknown_restock;
  if (decision == HeldDecision::discarded) {
    if (restock_known) {
      plan.timeline =
          TimelineEntry{TimelineKind::discarded_arrival,
                        "the operator discarded " + std::to_string(arrival.quantity) +
                            " held (request " + arrival.request_id + "); nothing added"};
    }
    return plan;
  }
  plan.add_stock = true;
  plan.stock_after = stock + arrival.quantity;
  if (restock_known) {
    plan.timeline =
        TimelineEntry{TimelineKind::arrived, "the operator released a held arrival: " +
                                                 arrived_note(arrival, plan.stock_after)};
  }
  plan.event = arrived_event(arrival, plan.stock_after, now, ids);
  return plan;
}

}  // namespace donut::domain
