// The warehouse's running totals: the figures `/metrics` and `/admin/stats` show about restocks,
// arrivals and timelines, kept as counters that each store updates in the transaction that
// changes what they count, so reading them costs the same at 10 million orders as at none.
//
// A total is (figure, subject) -> a number: restocks by state and arrivals per product, timeline
// entries per kind, restock lead times per histogram bucket. The functions here say which totals
// a change moves; every engine applies exactly that list, so the figures agree across engines.
// Totals only ever count what happened: pruning old rows (retention) leaves them unchanged.
//
// Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "domain/restock.h"
#include "domain/restock_plans.h"
#include "domain/timeline.h"

namespace donut::domain {

// Restock lead time (stock-out to first arrival) histogram bounds, in seconds.
inline constexpr double kLeadTimeBounds[] = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

// The stored figure names (never renamed: stored totals outlive the binary that wrote them).
namespace figure {
inline constexpr std::string_view kArrivals = "arrivals";               // subject: product id
inline constexpr std::string_view kUnitsArrived = "units_arrived";      // subject: product id
inline constexpr std::string_view kTimelineEntries = "timeline";        // subject: TimelineKind
inline constexpr std::string_view kLeadTimeBucket = "lead_time_le";     // subject: bucket index
inline constexpr std::string_view kLeadTimeMillis = "lead_time_ms";     // subject: empty
inline constexpr std::string_view kRestocksPrefix = "restocks_";        // + state; subject: product
inline constexpr std::string_view kUnitsRestocked = "units_restocked";  // of arrived restocks
inline constexpr std::string_view kArrivalsHeld = "arrivals_held";      // subject: product id
inline constexpr std::string_view kArrivalsHeldWaiting = "arrivals_held_waiting";  // undecided
}  // namespace figure

struct TotalChange {
  std::string figure;
  std::string subject;
  int64_t delta = 0;
};
using TotalChanges = std::vector<TotalChange>;

// "restocks_open", "restocks_requested", ...
std::string restocks_figure(RestockState state);

// The histogram bucket of a lead time: the first bound it does not exceed, or
// std::size(kLeadTimeBounds) when it exceeds them all.
std::size_t lead_time_bucket(Millis lead_time);

// A stock-out opened `restock`.
void count_opened(const Restock& restock, TotalChanges& out);
// The open restock of `product_id` was superseded.
void count_superseded(std::string_view product_id, TotalChanges& out);
// A restock moved from one state to another (nothing when they are the same).
void count_state_change(std::string_view product_id, RestockState from, RestockState to,
                        TotalChanges& out);
// One entry was written on a restock's timeline.
void count_timeline_entry(TimelineKind kind, TotalChanges& out);
// What applying `plan` (decided on `snapshot`) moves, besides its timeline entries (counted, like
// every entry, by count_timeline_entry where they are written).
void count_arrival(const Arrival& arrival, const ArrivalSnapshot& snapshot, const ArrivalPlan& plan,
                   TimePoint now, TotalChanges& out);
// What applying `plan`, the operator's decision about a held arrival, moves (its timeline entry
// is counted where it is written).
void count_held_decision(const HeldDecisionPlan& plan, TotalChanges& out);

}  // namespace donut::domain
