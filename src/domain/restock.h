// The life of one restock: opened by a stock-out, claimed by a restock worker while it calls
// the factory, marked requested once the factory accepted, closed when the stock arrives.
//
//   open --(worker claims, calls factory)--> requested --(arrival applied)--> arrived
//   open --(stale, replaced by a newer restock)--> superseded
//
// A claim is a lease: while one worker holds it, a redelivered copy of the same message (the
// seed's visibility-timeout lesson) is told `busy` and must not call the factory again. A
// worker that dies loses its lease when it expires, so the next delivery may claim again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace donut::domain {

enum class RestockState { open, requested, arrived, superseded };

std::string_view to_string(RestockState state) noexcept;
std::optional<RestockState> parse_restock_state(std::string_view text) noexcept;

struct Restock {
  std::string id;
  std::string product_id;
  int64_t quantity = 0;
  RestockState state = RestockState::open;
  TimePoint opened_at{};
  std::string claimed_by;  // empty: unclaimed
  TimePoint claim_expires_at{};
};

enum class ClaimVerdict {
  granted,       // call the factory now
  busy,          // another worker holds a live claim; try again after `busy_until`
  already_done,  // requested or arrived: nothing to do, acknowledge the message
  superseded,    // replaced by a newer restock: nothing to do
  unknown,       // no such restock
};

struct ClaimDecision {
  ClaimVerdict verdict = ClaimVerdict::unknown;
  TimePoint busy_until{};
};

ClaimDecision decide_claim(const Restock& restock, std::string_view owner, TimePoint now);

}  // namespace donut::domain
