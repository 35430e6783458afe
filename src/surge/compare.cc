#include "surge/compare.h"

#include <cmath>
#include <limits>
#include <ostream>

#include <fmt/format.h>

namespace donut::surge {
namespace {

// How many times fewer `after` is than `before`; infinite when `after` is nothing at all.
double times_fewer(double before, double after) {
  if (after <= 0) return before > 0 ? std::numeric_limits<double>::infinity() : 1.0;
  return before / after;
}

std::string ratio_text(double ratio) {
  return std::isinf(ratio) ? std::string("none left") : fmt::format("{:.1f}x fewer", ratio);
}

}  // namespace

ComparisonFigures compare(const Comparison& c) {
  ComparisonFigures f;
  f.fewer_refusals = times_fewer(static_cast<double>(c.at_zero.out_of_stock),
                                 static_cast<double>(c.reorder_point.out_of_stock));
  f.fewer_stock_out_seconds =
      times_fewer(c.at_zero.stock_out_seconds, c.reorder_point.stock_out_seconds);
  f.stock_left_within_one_order = c.reorder_point.final_stock <= c.reorder_point.largest_restock;
  f.goal_met = f.fewer_refusals >= kGoalRatio && f.fewer_stock_out_seconds >= kGoalRatio &&
               f.stock_left_within_one_order;
  return f;
}

void print_comparison(const Comparison& c, std::ostream& out) {
  const auto& a = c.at_zero;
  const auto& b = c.reorder_point;
  const auto f = compare(c);
  const auto row = [&](const char* what, auto x, auto y, const std::string& note) {
    out << fmt::format("{:<20} {:>12} {:>14}   {}\n", what, x, y, note);
  };
  out << fmt::format("\n{:<20} {:>12} {:>14}\n", "", "at_zero", "reorder_point");
  row("lost sales (409)", a.out_of_stock, b.out_of_stock, ratio_text(f.fewer_refusals));
  row("stock-out seconds", fmt::format("{:.1f}", a.stock_out_seconds),
      fmt::format("{:.1f}", b.stock_out_seconds), ratio_text(f.fewer_stock_out_seconds));
  row("units sold", a.units_sold, b.units_sold, "");
  row("restocks", a.restocks, b.restocks, "");
  row("largest restock", a.largest_restock, b.largest_restock, "");
  // The stock left as a share of the largest order: a reorder point keeps a lead time's demand
  // on order while the demand lasts, so up to itself plus an order quantity is left when a
  // crowd stops at once.
  const double left = b.largest_restock > 0 ? static_cast<double>(b.final_stock) /
                                                  static_cast<double>(b.largest_restock)
                                            : 0.0;
  row("stock left", a.final_stock, b.final_stock,
      fmt::format("{:.2f}x the largest restock{}", left,
                  f.stock_left_within_one_order ? "" : ": more than one order quantity"));
  out << fmt::format(
      "goal (at least {:.0f}x fewer 409s and stock-out seconds, stock left within one order "
      "quantity): {}\n",
      kGoalRatio, f.goal_met ? "met" : "NOT met");
}

}  // namespace donut::surge
