// `donut surge --compare`: the same crowd restocking at zero and at the reorder point
// (surge.h, `run_comparison`), set side by side: the sales lost (409s), the seconds of the load
// with the shelf empty, what was sold and restocked, and the stock left. Pure.
//
// The goal the reorder point is held to: at least five times fewer 409s and five times fewer
// stock-out seconds than restocking at zero, with the stock left at the end no larger than one
// order quantity (the largest restock the run asked for).
#pragma once

#include <iosfwd>

#include "surge/surge.h"

namespace donut::surge {

inline constexpr double kGoalRatio = 5;

struct ComparisonFigures {
  double fewer_refusals = 0;           // at_zero's 409s over reorder_point's (infinite: none)
  double fewer_stock_out_seconds = 0;  // the same for the seconds at 0
  bool stock_left_within_one_order = false;
  bool goal_met = false;
};

ComparisonFigures compare(const Comparison& c);
void print_comparison(const Comparison& c, std::ostream& out);

}  // namespace donut::surge
