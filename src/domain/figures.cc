#include "domain/figures.h"

namespace donut::domain {

std::string restocks_figure(RestockState state) {
  return std::string(figure::kRestocksPrefix) + std::string(to_string(state));
}

std::size_t lead_time_bucket(Millis lead_time) {
  std::size_t i = 0;
  while (i < std::size(kLeadTimeBounds) &&
         static_cast<double>(lead_time.count()) > kLeadTimeBounds[i] * 1000) {
    ++i;
  }
  return i;
}

void count_opened(const Restock& restock, TotalChanges& out) {
  out.push_back({restocks_figure(RestockState::open), restock.product_id, 1});
}

void count_superseded(std::string_view product_id, TotalChanges& out) {
  count_state_change(product_id, RestockState::open, RestockState::superseded, out);
}

void count_state_change(std::string_view product_id, RestockState from, RestockState to,
                        TotalChanges& out) {
  if (from == to) return;
  out.push_back({restocks_figure(from), std::string(product_id), -1});
  out.push_back({restocks_figure(to), std::string(product_id), 1});
}

void count_timeline_entry(TimelineKind kind, TotalChanges& out) {
  out.push_back({std::string(figure::kTimelineEntries), std::string(to_string(kind)), 1});
}

namespace {

// An arrival applied to the stock: counted with its units.
void count_applied(const Arrival& arrival, TotalChanges& out) {
  out.push_back({std::string(figure::kArrivals), arrival.product_id, 1});
  out.push_back({std::string(figure::kUnitsArrived), arrival.product_id, arrival.quantity});
}

}  // namespace

void count_arrival(const Arrival& arrival, const ArrivalSnapshot& snapshot, const ArrivalPlan& plan,
                   TimePoint now, TotalChanges& out) {
  if (plan.record_arrival) count_applied(arrival, out);
  if (plan.hold) {
    out.push_back({std::string(figure::kArrivalsHeld), arrival.product_id, 1});
    out.push_back({std::string(figure::kArrivalsHeldWaiting), arrival.product_id, 1});
  }
  if (plan.close_restock) {
    const Restock& restock = snapshot.restock->restock;
    count_state_change(restock.product_id, restock.state, RestockState::arrived, out);
    out.push_back({std::string(figure::kUnitsRestocked), restock.product_id, restock.quantity});
    const Millis lead_time = now - restock.opened_at;
    out.push_back(
        {std::string(figure::kLeadTimeBucket), std::to_string(lead_time_bucket(lead_time)), 1});
    out.push_back({std::string(figure::kLeadTimeMillis), "", lead_time.count()});
  }
}

void count_held_decision(const HeldDecisionPlan& plan, TotalChanges& out) {
  if (!plan.record) return;
  const Arrival& arrival = plan.after.arrival;
  out.push_back({std::string(figure::kArrivalsHeldWaiting), arrival.product_id, -1});
  if (plan.add_stock) count_applied(arrival, out);
}

}  // namespace donut::domain
