#include "domain/replenishment.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include <boost/math/distributions/normal.hpp>

#include "common/assert.h"

namespace donut::domain {
namespace {

constexpr Millis kMinHalfLife{250};
constexpr Millis kMaxHalfLife = std::chrono::hours(6);
// Figures beyond this are clamped (the most stock an operator may set, domain/validation.h).
constexpr double kMaxUnits = 1e12;
constexpr double kMaxRateMicros = 1e15;
// A lead-time observation counts for at most this many times the current estimate.
constexpr double kLeadTimeClip = 3;
// Lead times are weighted as a running mean over the first arrivals, then with this weight.
constexpr double kLeadTimeWeight = 0.25;
// A mean absolute deviation times this estimates a normal standard deviation.
constexpr double kDeviationToSigma = 1.25;

double seconds(Millis m) {
  return std::chrono::duration<double>(m).count();
}

Millis lead_time_in_use(const LeadTimeEstimate& lead_time) {
  return lead_time.arrivals == 0 ? kLeadTimePrior : lead_time.estimate;
}

// A quarter of the lead time, within [250 ms, 6 h].
Millis demand_half_life(const LeadTimeEstimate& lead_time) {
  return std::clamp(lead_time_in_use(lead_time) / 4, kMinHalfLife, kMaxHalfLife);
}

// The demand's rates (units per second) decayed to `now`.
struct Rates {
  double fast = 0, slow = 0, square = 0;
};

Rates decayed(const DemandEstimate& d, Millis half_life, TimePoint now) {
  const double elapsed = now > d.updated_at ? seconds(now - d.updated_at) : 0.0;
  const double h = seconds(half_life);
  const double fast_decay = std::exp2(-elapsed / h);
  const double slow_decay = std::exp2(-elapsed / (2 * h));
  return {static_cast<double>(d.fast_micros) * fast_decay / 1e6,
          static_cast<double>(d.slow_micros) * slow_decay / 1e6,
          static_cast<double>(d.square_micros) * fast_decay / 1e6};
}

int64_t to_micros(double rate) {
  return std::llround(std::clamp(rate * 1e6, 0.0, kMaxRateMicros));
}

// Rounded up, but a millionth of a unit (the rates' precision) is no unit: a demand that has
// decayed to nothing asks for nothing.
int64_t whole_units(double units) {
  return static_cast<int64_t>(std::ceil(std::clamp(units - 1e-6, 0.0, kMaxUnits)));
}

double z_for(int64_t service_level_bp) {
  const double p =
      static_cast<double>(std::clamp(service_level_bp, kMinServiceLevelBp, kMaxServiceLevelBp)) /
      10'000.0;
  return boost::math::quantile(boost::math::normal_distribution<double>(), p);
}

}  // namespace

std::string_view to_string(ReplenishmentPolicy policy) noexcept {
  switch (policy) {
    case ReplenishmentPolicy::at_zero:
      return "at_zero";
    case ReplenishmentPolicy::reorder_point:
      return "reorder_point";
  }
  return "at_zero";
}

std::optional<ReplenishmentPolicy> parse_replenishment_policy(std::string_view text) noexcept {
  if (text == "at_zero") return ReplenishmentPolicy::at_zero;
  if (text == "reorder_point") return ReplenishmentPolicy::reorder_point;
  return std::nullopt;
}

int64_t effective_max_restock_quantity(const ReplenishmentSettings& settings,
                                       int64_t restock_quantity) noexcept {
  if (settings.max_restock_quantity > 0) return settings.max_restock_quantity;
  return std::max(restock_quantity, std::min(restock_quantity * 10, kMaxRestockQuantity));
}

Status validate_replenishment(const ReplenishmentSettings& settings, int64_t restock_quantity) {
  if (settings.service_level_bp < kMinServiceLevelBp ||
      settings.service_level_bp > kMaxServiceLevelBp) {
    return make_error(ErrorCode::invalid_argument,
                      "service_level must be a number from 0.5 to 0.9999");
  }
  const int64_t least = std::max<int64_t>(1, restock_quantity);
  if (settings.max_restock_quantity != 0 && (settings.max_restock_quantity < least ||
                                             settings.max_restock_quantity > kMaxRestockQuantity)) {
    return make_error(ErrorCode::invalid_argument, "max_restock_quantity must be an integer from " +
                                                       std::to_string(least) +
                                                       " (at least the restock quantity) to " +
                                                       std::to_string(kMaxRestockQuantity));
  }
  return ok();
}

ReplenishmentFigures replenishment_figures(const ReplenishmentState& state,
                                           int64_t restock_quantity, TimePoint now) {
  ReplenishmentFigures f;
  f.lead_time = lead_time_in_use(state.lead_time);
  f.lead_time_arrivals = state.lead_time.arrivals;
  f.demand_half_life = demand_half_life(state.lead_time);
  f.max_restock_quantity = effective_max_restock_quantity(state.settings, restock_quantity);
  const Rates r = decayed(state.demand, f.demand_half_life, now);
  const double tau = seconds(f.demand_half_life) / std::numbers::ln2;
  const double level = std::max(0.0, 2 * r.fast - r.slow);
  f.demand_per_second = level;
  f.demand_trend = (r.fast - r.slow) / tau;
  const double lead = seconds(f.lead_time);
  const double lead_demand = std::max(0.0, level * lead + f.demand_trend * lead * lead / 2);
  const double next_demand = std::max(0.0, level * lead + 1.5 * f.demand_trend * lead * lead);
  const double lead_sigma = kDeviationToSigma * seconds(state.lead_time.deviation);
  const double variance = lead * r.square + level * level * lead_sigma * lead_sigma;
  const double safety = z_for(state.settings.service_level_bp) * std::sqrt(variance);
  f.safety_stock = whole_units(safety);
  if (restock_quantity <= 0) return f;  // restocking is off: nothing opens
  if (state.settings.policy == ReplenishmentPolicy::at_zero) {
    f.rule = {0, restock_quantity};
  } else {
    f.rule.reorder_point = whole_units(lead_demand + safety);
    // The safety stock is held once, in the reorder point: a restock that arrives as planned
    // finds it still on the shelf.
    f.rule.order_quantity =
        std::clamp(whole_units(next_demand), restock_quantity, f.max_restock_quantity);
  }
  DONUT_ASSERT(f.rule.reorder_point >= 0, "the reorder point is never negative");
  DONUT_ASSERT(
      f.rule.order_quantity >= restock_quantity && f.rule.order_quantity <= f.max_restock_quantity,
      "a restock asks for at least the restock quantity and at most the maximum");
  return f;
}

ReorderRule reorder_rule(const ReplenishmentState& state, int64_t restock_quantity, TimePoint now) {
  if (restock_quantity <= 0) return {};
  if (state.settings.policy == ReplenishmentPolicy::at_zero) return {0, restock_quantity};
  return replenishment_figures(state, restock_quantity, now).rule;
}

DemandEstimate observe_demand(const ReplenishmentState& state, int64_t units, int64_t squared_units,
                              TimePoint now) {
  DONUT_ASSERT(units >= 0 && squared_units >= 0);
  const Millis half_life = demand_half_life(state.lead_time);
  const Rates r = decayed(state.demand, half_life, now);
  const double per_second = std::numbers::ln2 / seconds(half_life);
  DemandEstimate next;
  next.fast_micros = to_micros(r.fast + static_cast<double>(units) * per_second);
  next.slow_micros = to_micros(r.slow + static_cast<double>(units) * per_second / 2);
  next.square_micros = to_micros(r.square + static_cast<double>(squared_units) * per_second);
  next.updated_at = std::max(now, state.demand.updated_at);
  return next;
}

LeadTimeEstimate observe_lead_time(const LeadTimeEstimate& lead_time, Millis observed) {
  const double base = std::max(seconds(lead_time_in_use(lead_time)), 1.0);
  const double clipped = std::min(std::max(0.0, seconds(observed)), kLeadTimeClip * base);
  LeadTimeEstimate next;
  next.arrivals = lead_time.arrivals + 1;
  const auto to_millis = [](double s) { return Millis(std::llround(s * 1000)); };
  if (lead_time.arrivals == 0) {
    next.estimate = to_millis(clipped);
    return next;
  }
  const double weight = std::max(1.0 / static_cast<double>(next.arrivals), kLeadTimeWeight);
  const double estimate = seconds(lead_time.estimate);
  next.deviation = to_millis((1 - weight) * seconds(lead_time.deviation) +
                             weight * std::abs(clipped - estimate));
  next.estimate = to_millis((1 - weight) * estimate + weight * clipped);
  return next;
}

}  // namespace donut::domain
