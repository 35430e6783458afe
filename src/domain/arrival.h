// A stock arrival: the factory's callback saying a manufactured batch reached the warehouse.
//
// `request_id` identifies the manufacture request the arrival answers; the warehouse applies
// each request id at most once, so repeated or replayed callbacks change nothing.
#pragma once

#include <cstdint>
#include <string>

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
};

struct ArrivalOutcome {
  ArrivalStatus status = ArrivalStatus::applied;
  int64_t stock_after = 0;
};

}  // namespace donut::domain
