#include "domain/arrival.h"

namespace donut::domain {

std::string_view to_string(HeldReason reason) noexcept {
  switch (reason) {
    case HeldReason::unknown_restock:
      return "unknown_restock";
    case HeldReason::superseded_restock:
      return "superseded_restock";
    case HeldReason::already_arrived:
      return "already_arrived";
  }
  return "unknown_restock";
}

std::optional<HeldReason> parse_held_reason(std::string_view text) noexcept {
  for (auto reason :
       {HeldReason::unknown_restock, HeldReason::superseded_restock, HeldReason::already_arrived}) {
    if (text == to_string(reason)) return reason;
  }
  return std::nullopt;
}

std::string_view to_string(HeldDecision decision) noexcept {
  return decision == HeldDecision::released ? "released" : "discarded";
}

std::optional<HeldDecision> parse_held_decision(std::string_view text) noexcept {
  if (text == "released") return HeldDecision::released;
  if (text == "discarded") return HeldDecision::discarded;
  return std::nullopt;
}

}  // namespace donut::domain
