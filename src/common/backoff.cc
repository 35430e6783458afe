#include "common/backoff.h"

#include <algorithm>
#include <cstdint>
#include <random>

#include "common/random.h"

namespace donut {

Millis backoff_delay(int attempt, Millis base, Millis cap) {
  const int shift = std::clamp(attempt - 1, 0, 20);
  const int64_t ceiling = std::min<int64_t>(cap.count(), base.count() << shift);
  std::uniform_int_distribution<int64_t> pick(base.count(), std::max(base.count(), ceiling));
  return Millis(pick(thread_random()));
}

}  // namespace donut
