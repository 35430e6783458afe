#include "sim/faults.h"

#include <cstdint>
#include <optional>

namespace donut::sim {
namespace {

constexpr std::array<std::string_view, kFaultKinds> kNames = {
    "crash",
    "store_fails",
    "store_commit_unknown",
    "broker_fails",
    "broker_duplicates",
    "broker_delays",
    "broker_loses_ack",
    "factory_slow",
    "factory_fails",
    "factory_times_out_after_accepting",
    "factory_calls_back_twice",
    "factory_calls_back_late",
    "factory_wrong_signature",
    "clock_jumps",
    "mail_fails",
};

// Per opportunity: a port call (crash, store, broker), a factory call or callback, a step
// (clock), an e-mail. High enough that one seed of a few thousand steps meets every kind.
constexpr std::array<double, kFaultKinds> kDefaults = {
    0.003, 0.01, 0.01, 0.01, 0.03, 0.03, 0.03, 0.1, 0.15, 0.05, 0.1, 0.05, 0.05, 0.002, 0.1,
};

// A decimal "d[.ddd]" (at most 15 digits after the point) read as the double nearest to it: the
// digits as an integer divided by a power of ten, both exact in a double, so the one rounding
// is the division's and every toolchain reads the same value.
std::optional<double> parse_decimal(std::string_view text) {
  int64_t digits = 0;
  int64_t scale = 1;
  bool point = false, any = false;
  for (const char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9' || digits > 100'000'000'000'000 || scale > 100'000'000'000'000) {
      return std::nullopt;
    }
    digits = digits * 10 + (c - '0');
    if (point) scale *= 10;
    any = true;
  }
  if (!any) return std::nullopt;
  return static_cast<double>(digits) / static_cast<double>(scale);
}

Result<double> parse_probability(std::string_view name, std::string_view text) {
  const auto value = parse_decimal(text);
  if (!value || *value > 1) {
    return make_error(ErrorCode::invalid_argument,
                      "--faults: " + std::string(name) + "'s probability must be from 0 to 1");
  }
  return *value;
}

}  // namespace

std::string_view to_string(Fault fault) {
  return kNames[static_cast<std::size_t>(fault)];
}

FaultPlan FaultPlan::all() {
  FaultPlan plan;
  plan.probability = kDefaults;
  return plan;
}

Result<FaultPlan> FaultPlan::parse(std::string_view spec) {
  if (spec == "all") return all();
  if (spec == "none" || spec.empty()) return none();
  FaultPlan plan;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const auto equals = item.find('=');
    const std::string_view name = item.substr(0, equals);
    std::size_t index = 0;
    while (index < kFaultKinds && kNames[index] != name) ++index;
    if (index == kFaultKinds) {
      return make_error(ErrorCode::invalid_argument,
                        "--faults: no fault named '" + std::string(name) + "'");
    }
    plan.probability[index] = kDefaults[index];
    if (equals != std::string_view::npos) {
      DONUT_ASSIGN_OR_RETURN(plan.probability[index],
                             parse_probability(name, item.substr(equals + 1)));
    }
  }
  return plan;
}

bool Dice::roll(Fault fault) {
  const double p = plan_.of(fault);
  if (!faults_enabled_ || p <= 0 || !chance(p)) return false;
  ++counts_[static_cast<std::size_t>(fault)];
  return true;
}

}  // namespace donut::sim
