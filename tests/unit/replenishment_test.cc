// The replenishment policy (domain/replenishment.h) on plain values: its edge cases (no history,
// a burst then silence, a lead-time outlier, the quantity caps), and how the sale and arrival
// plans use it (sales.h, restock_plans.h). The store contract suite checks that every engine
// keeps its state.
#include "domain/replenishment.h"

#include <gtest/gtest.h>

#include "domain/restock_plans.h"
#include "domain/sales.h"
#include "support/counting_ids.h"

namespace donut::domain {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = from_unix_ms(1'764'000'000'000);

using testing::CountingIds;

ReplenishmentState reorder_point(int64_t max = 0, int64_t service_level_bp = 9500) {
  ReplenishmentState s;
  s.settings = {ReplenishmentPolicy::reorder_point, max, service_level_bp};
  return s;
}

// `rate` orders of one unit per second, in batches every 10 ms, for `how_long` from `from`.
void sell_steadily(ReplenishmentState& s, double rate, Millis how_long, TimePoint from) {
  double owed = 0;
  for (Millis t{0}; t < how_long; t += milliseconds(10)) {
    owed += rate / 100;
    const auto units = static_cast<int64_t>(owed);
    owed -= static_cast<double>(units);
    s.demand = observe_demand(s, units, units, from + t);
  }
}

LeadTimeEstimate learned(std::initializer_list<Millis> lead_times) {
  LeadTimeEstimate l;
  for (Millis m : lead_times) l = observe_lead_time(l, m);
  return l;
}

TEST(Replenishment, PoliciesHaveOneSpellingEach) {
  for (auto p : {ReplenishmentPolicy::at_zero, ReplenishmentPolicy::reorder_point}) {
    EXPECT_EQ(parse_replenishment_policy(to_string(p)), p);
  }
  EXPECT_EQ(parse_replenishment_policy("AT_ZERO"), std::nullopt);
  EXPECT_EQ(parse_replenishment_policy(""), std::nullopt);
}

TEST(Replenishment, WithNoHistoryTheReorderPointIsZeroAndTheLeadTimeThePrior) {
  const auto f = replenishment_figures(reorder_point(), 20, kNow);
  EXPECT_EQ(f.rule.reorder_point, 0);
  EXPECT_EQ(f.rule.order_quantity, 20) << "never below the restock quantity";
  EXPECT_EQ(f.demand_per_second, 0);
  EXPECT_EQ(f.safety_stock, 0);
  EXPECT_EQ(f.lead_time, kLeadTimePrior);
  EXPECT_EQ(f.lead_time_arrivals, 0);
  EXPECT_EQ(f.max_restock_quantity, 200) << "ten restock quantities by default";
}

TEST(Replenishment, AtZeroOpensAtZeroWithTheRestockQuantityWhateverItLearned) {
  ReplenishmentState s;
  sell_steadily(s, 500, seconds(5), kNow);
  s.lead_time = learned({seconds(3)});
  const auto f = replenishment_figures(s, 20, kNow + seconds(5));
  EXPECT_EQ(f.rule.reorder_point, 0);
  EXPECT_EQ(f.rule.order_quantity, 20);
  EXPECT_GT(f.demand_per_second, 400) << "its figures still show the demand";
}

TEST(Replenishment, RestockingOffOpensNothing) {
  auto s = reorder_point();
  sell_steadily(s, 100, seconds(3), kNow);
  const auto rule = reorder_rule(s, 0, kNow + seconds(3));
  EXPECT_EQ(rule.reorder_point, 0);
  EXPECT_EQ(rule.order_quantity, 0);
}

TEST(Replenishment, ASteadyDemandIsMeasuredAndCoveredOverTheLeadTime) {
  auto s = reorder_point(100'000);
  s.lead_time = learned({seconds(2), seconds(2), seconds(2)});
  sell_steadily(s, 200, seconds(20), kNow);
  const auto f = replenishment_figures(s, 10, kNow + seconds(20));
  EXPECT_NEAR(f.demand_per_second, 200, 10);
  EXPECT_NEAR(f.demand_trend, 0, 10);
  EXPECT_EQ(f.lead_time, seconds(2));
  // 400 over the lead time, plus the safety stock for Poisson-like orders of one.
  EXPECT_GT(f.safety_stock, 0);
  EXPECT_NEAR(static_cast<double>(f.rule.reorder_point), 400.0 + f.safety_stock, 40);
  EXPECT_NEAR(static_cast<double>(f.rule.order_quantity), 400.0, 40)
      << "the safety stock is held once, in the reorder point";
}

TEST(Replenishment, AGrowingDemandIsForecastAsGrowing) {
  auto s = reorder_point(100'000);
  s.lead_time = learned({seconds(2)});
  for (int second = 0; second < 10; ++second) {  // 100, 200, ... 1000 per second
    sell_steadily(s, 100.0 * (second + 1), seconds(1), kNow + seconds(second));
  }
  const auto f = replenishment_figures(s, 10, kNow + seconds(10));
  EXPECT_GT(f.demand_trend, 50);
  EXPECT_GT(f.rule.reorder_point, 2000) << "the next two seconds sell more than 2 x 1000";
  EXPECT_GT(f.rule.order_quantity, f.rule.reorder_point)
      << "the lead time after the arrival sells more still";
}

TEST(Replenishment, ABurstThenSilenceDecaysBackToNothing) {
  auto s = reorder_point();
  s.lead_time = learned({seconds(4)});
  sell_steadily(s, 300, seconds(2), kNow);
  const auto burst = replenishment_figures(s, 10, kNow + seconds(2));
  EXPECT_GT(burst.rule.reorder_point, 300);
  EXPECT_EQ(burst.rule.order_quantity, 100) << "capped at ten restock quantities";
  const auto soon = replenishment_figures(s, 10, kNow + seconds(4));
  EXPECT_LT(soon.demand_per_second, burst.demand_per_second);
  EXPECT_GE(soon.rule.reorder_point, 0) << "a falling trend never makes it negative";
  const auto later = replenishment_figures(s, 10, kNow + minutes(5));
  EXPECT_EQ(later.rule.reorder_point, 0);
  EXPECT_EQ(later.rule.order_quantity, 10);
  EXPECT_LT(later.demand_per_second, 1e-3);
  // One order after the silence is judged on its own, not on the burst.
  s.demand = observe_demand(s, 1, 1, kNow + minutes(5));
  EXPECT_LT(replenishment_figures(s, 10, kNow + minutes(5)).rule.reorder_point, 10);
}

TEST(Replenishment, TheReorderPointIsNeverNegativeWhateverTheDemandDid) {
  auto s = reorder_point();
  s.lead_time = learned({seconds(30), seconds(1), hours(1)});
  sell_steadily(s, 1000, seconds(1), kNow);
  for (Millis later :
       {Millis(0), Millis(500), Millis(seconds(2)), Millis(seconds(30)), Millis(hours(48))}) {
    const auto f = replenishment_figures(s, 5, kNow + seconds(1) + later);
    EXPECT_GE(f.rule.reorder_point, 0);
    EXPECT_GE(f.rule.order_quantity, 5);
    EXPECT_LE(f.rule.order_quantity, 50);
  }
  // A clock that went back: the demand is not decayed, nothing breaks.
  EXPECT_GE(replenishment_figures(s, 5, kNow - hours(1)).rule.reorder_point, 0);
}

TEST(Replenishment, TheOrderQuantityStaysWithinTheRestockQuantityAndTheMaximum) {
  auto s = reorder_point(750);
  s.lead_time = learned({seconds(5)});
  sell_steadily(s, 2000, seconds(3), kNow);
  EXPECT_EQ(replenishment_figures(s, 100, kNow + seconds(3)).rule.order_quantity, 750);
  s.settings.max_restock_quantity = 0;
  EXPECT_EQ(replenishment_figures(s, 100, kNow + seconds(3)).rule.order_quantity, 1000);
  auto quiet = reorder_point(750);
  quiet.demand = observe_demand(quiet, 1, 1, kNow);
  EXPECT_EQ(replenishment_figures(quiet, 100, kNow).rule.order_quantity, 100);
}

TEST(Replenishment, RefusedDemandCannotOrderBeyondTheMaximum) {
  // Someone asks for far more than the shelf holds, again and again: each refusal is demand,
  // and the restock still asks for no more than the factory's capacity.
  StockState state{0, 10, "", {}, reorder_point(60)};
  CountingIds ids;
  std::vector<OrderRequest> greedy;
  for (int i = 0; i < 200; ++i) greedy.push_back({"o" + std::to_string(i), "glazed", 1000, ""});
  SaleSnapshot snapshot;
  snapshot.products["glazed"] = state;
  auto plan = plan_sales(greedy, snapshot, RestockPolicy{}, kNow, ids);
  snapshot.products["glazed"] = plan.products[0].state;
  snapshot.products["glazed"].open_restock_id.clear();
  plan = plan_sales(greedy, snapshot, RestockPolicy{}, kNow + seconds(1), ids);
  ASSERT_EQ(plan.restocks_opened.size(), 1u);
  EXPECT_EQ(plan.restocks_opened[0].restock.quantity, 60);
  EXPECT_EQ(plan.products[0].orders_refused, 200);
}

TEST(Replenishment, TheFirstArrivalReplacesThePriorAndLaterOnesAverage) {
  auto l = learned({seconds(2)});
  EXPECT_EQ(l.arrivals, 1);
  EXPECT_EQ(l.estimate, seconds(2));
  EXPECT_EQ(l.deviation, Millis(0));
  l = learned({seconds(2), seconds(4)});
  EXPECT_EQ(l.estimate, seconds(3)) << "a running mean over the first arrivals";
  EXPECT_EQ(l.deviation, seconds(1));
  // A first arrival an hour late counts as three times the prior.
  EXPECT_EQ(learned({hours(1)}).estimate, 3 * kLeadTimePrior);
  EXPECT_EQ(learned({Millis(-500)}).estimate, Millis(0)) << "clocks that disagree";
}

TEST(Replenishment, ALeadTimeOutlierMovesTheEstimateByHalfAtMost) {
  const auto steady = learned({seconds(2), seconds(2), seconds(2), seconds(2), seconds(2)});
  ASSERT_EQ(steady.estimate, seconds(2));
  // The factory calls back an hour late (or a failed restock is redriven the next morning).
  const auto late = observe_lead_time(steady, hours(1));
  EXPECT_LE(late.estimate, seconds(3));
  auto back = late;
  for (int i = 0; i < 6; ++i) back = observe_lead_time(back, seconds(2));
  EXPECT_LT(back.estimate, milliseconds(2200)) << "normal arrivals bring it back";
}

TEST(Replenishment, AFactoryThatReallySlowedDownIsFollowed) {
  auto l = learned({seconds(2), seconds(2), seconds(2), seconds(2)});
  int arrivals = 0;
  while (l.estimate < seconds(18) && arrivals < 20) {
    l = observe_lead_time(l, seconds(20));
    ++arrivals;
  }
  EXPECT_LE(arrivals, 12) << "ten times slower is learned within a dozen arrivals";
}

TEST(Replenishment, AHigherServiceLevelKeepsMoreSafetyStock) {
  auto s = reorder_point(100'000, 8000);
  s.lead_time = learned({seconds(2), seconds(3), seconds(2)});
  sell_steadily(s, 50, seconds(10), kNow);
  const auto at_80 = replenishment_figures(s, 1, kNow + seconds(10));
  s.settings.service_level_bp = 9990;
  const auto at_999 = replenishment_figures(s, 1, kNow + seconds(10));
  EXPECT_GT(at_999.safety_stock, at_80.safety_stock);
  EXPECT_GT(at_999.rule.reorder_point, at_80.rule.reorder_point);
}

TEST(Replenishment, TheHalfLifeFollowsTheLeadTime) {
  EXPECT_EQ(replenishment_figures(reorder_point(), 1, kNow).demand_half_life, milliseconds(2500));
  auto s = reorder_point();
  s.lead_time = learned({milliseconds(400)});
  EXPECT_EQ(replenishment_figures(s, 1, kNow).demand_half_life, milliseconds(250));
  s.lead_time = learned({hours(1), hours(1)});  // a prior of 10 s clips the first to 30 s
  s.lead_time = learned({seconds(30), minutes(1), minutes(3), minutes(9), minutes(27), hours(1)});
  EXPECT_GT(replenishment_figures(s, 1, kNow).demand_half_life, minutes(1));
}

TEST(Replenishment, SettingsAreValidatedAgainstTheRestockQuantity) {
  EXPECT_TRUE(validate_replenishment({ReplenishmentPolicy::reorder_point, 0, 9500}, 20));
  EXPECT_TRUE(validate_replenishment({ReplenishmentPolicy::reorder_point, 20, 5000}, 20));
  EXPECT_TRUE(validate_replenishment({ReplenishmentPolicy::at_zero, 1, 9999}, 0));
  const auto low = validate_replenishment({ReplenishmentPolicy::reorder_point, 19, 9500}, 20);
  ASSERT_FALSE(low);
  EXPECT_EQ(low.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(low.error().message.find("max_restock_quantity must be an integer from 20"),
            std::string::npos)
      << low.error().message;
  EXPECT_FALSE(validate_replenishment({ReplenishmentPolicy::reorder_point, 1'000'001, 9500}, 1));
  EXPECT_FALSE(validate_replenishment({ReplenishmentPolicy::reorder_point, -1, 9500}, 0));
  EXPECT_FALSE(validate_replenishment({ReplenishmentPolicy::reorder_point, 0, 4999}, 1));
  EXPECT_FALSE(validate_replenishment({ReplenishmentPolicy::reorder_point, 0, 10'000}, 1));
}

// --- in the sale and arrival plans ------------------------------------------------------------

TEST(ReplenishmentInPlans, ASaleAtTheReorderPointOpensARestockOfTheOrderQuantity) {
  auto s = reorder_point(1000);
  s.lead_time = learned({seconds(2)});
  sell_steadily(s, 100, seconds(5), kNow - seconds(5));
  const auto rule = reorder_rule(s, 10, kNow);
  ASSERT_GT(rule.reorder_point, 150);
  SaleSnapshot snapshot;
  snapshot.products["glazed"] = {rule.reorder_point + 3, 10, "", {}, s};
  CountingIds ids;
  std::vector<OrderRequest> orders{{"o1", "glazed", 2, ""}, {"o2", "glazed", 2, ""}};
  const auto plan = plan_sales(orders, snapshot, RestockPolicy{}, kNow, ids);
  EXPECT_FALSE(plan.outcomes[0].restock_opened) << "one above the reorder point";
  ASSERT_TRUE(plan.outcomes[1].restock_opened);
  EXPECT_FALSE(plan.outcomes[1].restock_id.empty()) << "the 201 names the restock it opened";
  ASSERT_EQ(plan.restocks_opened.size(), 1u);
  const auto& opened = plan.restocks_opened[0];
  EXPECT_EQ(opened.restock.quantity, rule.order_quantity);
  EXPECT_EQ(opened.event.restock_quantity, rule.order_quantity);
  EXPECT_EQ(opened.event.stock_left, rule.reorder_point - 1);
  EXPECT_NE(opened.stock_out.find("at or below the reorder point"), std::string::npos)
      << opened.stock_out;
  EXPECT_GT(plan.products[0].state.replenishment.demand.fast_micros, s.demand.fast_micros)
      << "the batch's demand is fed back";
}

TEST(ReplenishmentInPlans, RefusedOrdersAreDemandAndLostSales) {
  SaleSnapshot snapshot;
  snapshot.products["glazed"] = {1, 10, "r-open", kNow, reorder_point()};
  CountingIds ids;
  std::vector<OrderRequest> orders{{"o1", "glazed", 3, ""}, {"o2", "glazed", 1, ""}};
  const auto plan = plan_sales(orders, snapshot, RestockPolicy{}, kNow, ids);
  ASSERT_EQ(plan.products.size(), 1u);
  EXPECT_EQ(plan.products[0].orders_refused, 1);
  EXPECT_EQ(plan.products[0].orders_sold, 1);
  ReplenishmentState expected = reorder_point();
  expected.demand = observe_demand(expected, 4, 10, kNow);
  EXPECT_EQ(plan.products[0].state.replenishment, expected) << "4 units asked, 3² + 1² squared";
}

TEST(ReplenishmentInPlans, TheFirstArrivalOfARestockTeachesTheLeadTime) {
  RestockRecord record{{"r1", "glazed", 10, RestockState::requested, kNow - seconds(3), "", {}},
                       kNow - seconds(2),
                       std::nullopt};
  ArrivalSnapshot snapshot;
  snapshot.product = ArrivalSnapshot::Product{0, "r1", learned({seconds(2)})};
  snapshot.restock = record;
  CountingIds ids;
  const Arrival arrival{"req-1", "r1", "glazed", 10, "FF-1", kNow};
  auto plan = plan_arrival(arrival, snapshot, kNow, ids);
  ASSERT_TRUE(plan.lead_time);
  EXPECT_EQ(plan.lead_time->arrivals, 2);
  EXPECT_EQ(plan.lead_time->estimate, milliseconds(2500));
  // A second batch for the same restock, or a repeat, teaches nothing.
  record.arrived_at = kNow;
  snapshot.restock = record;
  EXPECT_FALSE(
      plan_arrival({"req-2", "r1", "glazed", 10, "FF-1", kNow}, snapshot, kNow, ids).lead_time);
  snapshot.request_applied = true;
  EXPECT_FALSE(plan_arrival(arrival, snapshot, kNow, ids).lead_time);
  // An arrival that names no restock teaches nothing either.
  snapshot = {};
  snapshot.product = ArrivalSnapshot::Product{0, "", {}};
  EXPECT_FALSE(
      plan_arrival({"req-3", "", "glazed", 5, "FF-1", kNow}, snapshot, kNow, ids).lead_time);
}

}  // namespace
}  // namespace donut::domain
