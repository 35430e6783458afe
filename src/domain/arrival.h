// A stock arrival: the factory's callback saying a manufactured batch reached the warehouse.
//
// `request_id` identifies the manufacture request the arrival answers; the warehouse applies
// each request id at most once, so repeated or replayed callbacks change nothing. An arrival
// that answers no restock the shop is waiting for is held for the operator (`HeldArrival`): kept,
// not added to the stock, until the operator releases it (applied once) or discards it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace donut::domain {

struct Arrival {
  std::string request_id;
  std::string restock_id;  // the restock this batch answers; may be empty for a foreign factory
  std::string product_id;
  int64_t quantity = 0;
  std::string factory_id;
  TimePoint received_at{};
};

enum class ArrivalStatus {
  applied,          // stock increased now
  duplicate,        // this request id was applied before; nothing changed
  unknown_product,  // no such product; the arrival cannot be applied
  held,             // it answers no restock the shop waits for: kept for the operator, no stock
};

// Why an arrival was held. Spellings (`to_string`) are stored: never renamed.
enum class HeldReason {
  unknown_restock,     // it names no restock the warehouse knows (or none at all)
  superseded_restock,  // its restock was replaced by a newer one before anything was recorded
  already_arrived,     // its restock already arrived with another request id
};

// What the operator decided about a held arrival. Spellings are stored: never renamed.
enum class HeldDecision {
  released,   // applied to the stock, once
  discarded,  // dropped: nothing added
};

struct HeldArrival {
  Arrival arrival;
  HeldReason reason = HeldReason::unknown_restock;
  TimePoint held_at{};
  std::optional<HeldDecision> decision;  // nullopt: waiting for the operator
  std::optional<TimePoint> decided_at;
};

std::string_view to_string(HeldReason reason) noexcept;
std::optional<HeldReason> parse_held_reason(std::string_view text) noexcept;
std::string_view to_string(HeldDecision decision) noexcept;
std::optional<HeldDecision> parse_held_decision(std::string_view text) noexcept;

struct ArrivalOutcome {
  ArrivalStatus status = ArrivalStatus::applied;
  int64_t stock_after = 0;
};

}  // namespace donut::domain
