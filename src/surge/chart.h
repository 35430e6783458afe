// The chart of a `donut surge` (surge.h) as an SVG document: stock (left axis, units) and sold
// and refused orders per second (right axis) over the seconds of the run, with round ticks on
// every axis, grid lines, and each stock-out and restock marked; or two runs, one above the
// other on the same scales.
#pragma once

#include <string>

#include "surge/report.h"

namespace donut::surge {

std::string render_chart(const SurgeReport& report, const std::string& title);

// Two runs in one SVG, one above the other on the same axes (`donut surge --compare`).
std::string render_comparison_chart(const SurgeReport& first, const std::string& first_title,
                                    const SurgeReport& second, const std::string& second_title,
                                    const std::string& title);

}  // namespace donut::surge
