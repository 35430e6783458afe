#include "domain/restock.h"

namespace donut::domain {

std::string_view to_string(RestockState state) noexcept {
  switch (state) {
    case RestockState::open:
      return "open";
    case RestockState::requested:
      return "requested";
    case RestockState::arrived:
      return "arrived";
    case RestockState::superseded:
      return "superseded";
  }
  return "open";
}

std::optional<RestockState> parse_restock_state(std::string_view text) noexcept {
  if (text == "open") return RestockState::open;
  if (text == "requested") return RestockState::requested;
  if (text == "arrived") return RestockState::arrived;
  if (text == "superseded") return RestockState::superseded;
  return std::nullopt;
}

ClaimDecision decide_claim(const Restock& restock, std::string_view owner, TimePoint now) {
  switch (restock.state) {
    case RestockState::requested:
    case RestockState::arrived:
      return {ClaimVerdict::already_done, {}};
    case RestockState::superseded:
      return {ClaimVerdict::superseded, {}};
    case RestockState::open:
      break;
  }
  const bool held_by_other =
      !restock.claimed_by.empty() && restock.claimed_by != owner && restock.claim_expires_at > now;
  if (held_by_other) return {ClaimVerdict::busy, restock.claim_expires_at};
  return {ClaimVerdict::granted, {}};
}

}  // namespace donut::domain
