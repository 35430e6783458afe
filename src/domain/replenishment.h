// The replenishment policy: per product, when a restock opens and how much it asks the factory
// for, computed from what the warehouse records as it sells and receives. Pure functions over
// plain values, apart from the selling loop (sales.h), which asks `reorder_rule` once per
// product and batch and feeds the batch's demand back with `observe_demand`; `plan_arrival`
// (restock_plans.h) feeds each restock's first arrival back with `observe_lead_time`.
//
// Two policies, chosen per product by the operator:
// - `at_zero`: a restock opens when the shelf empties (or an order is refused) and asks for the
//   product's `restock_quantity`. The seed's behaviour, and the default.
// - `reorder_point`: a restock opens when a sale leaves the stock at or below the reorder point
//   (or an order is refused), and asks for the order quantity:
//     reorder point  = forecast demand over the lead time + safety stock
//     order quantity = forecast demand over the lead time after this restock arrives,
//                      within [restock_quantity, max_restock_quantity]
//     safety stock   = z(service level) x the deviation of the demand over the lead time.
//   With at most one restock open per product (sales.h), the next restock can open only once
//   this one arrived, so the order quantity must carry the shop through the lead time that
//   follows its arrival; the safety stock is held once, in the reorder point (a restock that
//   arrives as forecast finds it still on the shelf), as in the textbook (s, S) policies.
//
// What is learned, kept in the product row so the sale's transaction reads nothing more:
// - Demand, as exponentially weighted rates of units asked for (sold or refused for want of
//   stock: a refused order is demand the shelf could not serve) and of squared order sizes,
//   updated once per batch from the batch's units and the time since the last update. Two
//   rates, with half-lives h and 2h, give a level and a trend (Brown's double smoothing), so a
//   crowd that is still growing is forecast as growing. The half-life follows the lead time
//   (a quarter of it, within [250 ms, 6 h]): the demand that matters is the demand of the next
//   lead time. No history (a new product, or a long silence) decays to a rate of zero.
// - The lead time (restock opened -> its first arrival), as a weighted mean and mean absolute
//   deviation, starting from a prior until the first arrival. Each observation is clipped to
//   three times the current estimate first, so one late, failed and redriven or stale restock
//   moves the estimate by at most half of it, while a factory that really became slower is
//   followed within a few arrivals.
//
// Invariants (asserted): the reorder point is never negative; the order quantity is within
// [restock_quantity, max_restock_quantity] when restocking is on, and zero when it is off.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/error.h"
#include "common/time.h"

namespace donut::domain {

enum class ReplenishmentPolicy { at_zero, reorder_point };

std::string_view to_string(ReplenishmentPolicy policy) noexcept;
// The inverse of to_string; nullopt for any other text.
std::optional<ReplenishmentPolicy> parse_replenishment_policy(std::string_view text) noexcept;

// What the operator sets per product (besides its restock_quantity, the least a restock asks
// for; 0 turns restocking off).
struct ReplenishmentSettings {
  ReplenishmentPolicy policy = ReplenishmentPolicy::at_zero;
  // The most one restock asks for (the factory's capacity); 0: ten restock quantities (at most
  // kMaxRestockQuantity, and never fewer than one).
  int64_t max_restock_quantity = 0;
  // The share of lead times the safety stock should carry without a stock-out, in basis points
  // (9500: 95 %).
  int64_t service_level_bp = 9500;

  bool operator==(const ReplenishmentSettings&) const = default;
};

inline constexpr int64_t kDefaultServiceLevelBp = 9500;
inline constexpr int64_t kMinServiceLevelBp = 5000;
inline constexpr int64_t kMaxServiceLevelBp = 9999;
inline constexpr int64_t kMaxRestockQuantity = 1'000'000;
// The lead time assumed before a product's first restock arrived.
inline constexpr Millis kLeadTimePrior = std::chrono::seconds(10);

// Demand as exponentially weighted rates, in millionths so that every engine stores them
// exactly as integers.
struct DemandEstimate {
  int64_t fast_micros = 0;    // units per second, half-life h
  int64_t slow_micros = 0;    // units per second, half-life 2h
  int64_t square_micros = 0;  // squared units per order, per second, half-life h
  TimePoint updated_at{};     // the epoch: never updated

  bool operator==(const DemandEstimate&) const = default;
};

struct LeadTimeEstimate {
  int64_t arrivals = 0;  // first arrivals learned from; 0: the prior holds
  Millis estimate{0};
  Millis deviation{0};  // mean absolute deviation of the (clipped) observations

  bool operator==(const LeadTimeEstimate&) const = default;
};

// Everything the policy needs about one product, as its row keeps it.
struct ReplenishmentState {
  ReplenishmentSettings settings;
  DemandEstimate demand;
  LeadTimeEstimate lead_time;

  bool operator==(const ReplenishmentState&) const = default;
};

// What a sale is judged against: a restock opens when the stock left is at or below
// `reorder_point` (or an order is refused), and asks for `order_quantity`.
struct ReorderRule {
  int64_t reorder_point = 0;
  int64_t order_quantity = 0;
};

// The policy's figures as of one moment, for people (the admin API, the console, `donut stock`,
// the metrics) and for the selling loop (`rule`).
struct ReplenishmentFigures {
  ReorderRule rule;
  double demand_per_second = 0;    // the level of the demand now
  double demand_trend = 0;         // its growth, units per second per second
  Millis lead_time{0};             // the estimate in use (the prior before the first arrival)
  int64_t lead_time_arrivals = 0;  // the arrivals it was learned from (0: the prior)
  Millis demand_half_life{0};
  int64_t safety_stock = 0;
  int64_t max_restock_quantity = 0;  // the effective cap
};

// The cap in force: the operator's, or ten restock quantities when none was set.
int64_t effective_max_restock_quantity(const ReplenishmentSettings& settings,
                                       int64_t restock_quantity) noexcept;

// The settings an operator may set: a service level from 50 % to 99.99 %, and a maximum, when
// given, from max(1, restock_quantity) to 1000000. `invalid_argument` names the field.
Status validate_replenishment(const ReplenishmentSettings& settings, int64_t restock_quantity);

ReplenishmentFigures replenishment_figures(const ReplenishmentState& state,
                                           int64_t restock_quantity, TimePoint now);

// The rule a batch decided at `now` is judged against (the figures' rule, without the rest).
ReorderRule reorder_rule(const ReplenishmentState& state, int64_t restock_quantity, TimePoint now);

// The demand after a batch decided at `now` asked for `units` in orders whose squared sizes sum
// to `squared_units`.
DemandEstimate observe_demand(const ReplenishmentState& state, int64_t units, int64_t squared_units,
                              TimePoint now);

// The lead time after a restock's first arrival `observed` after it opened.
LeadTimeEstimate observe_lead_time(const LeadTimeEstimate& lead_time, Millis observed);

}  // namespace donut::domain
