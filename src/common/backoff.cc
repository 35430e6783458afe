#include "common/backoff.h"

#include <algorithm>
#include <cstdint>

#include "common/random.h"
#include "common/uniform.h"

namespace donut {

Millis backoff_delay(int attempt, Millis base, Millis cap) {
  const int shift = std::clamp(attempt - 1, 0, 20);
  const int64_t ceiling = std::min<int64_t>(cap.count(), base.count() << shift);
  return Millis(
      uniform_int(thread_random(), base.count(), std::max<int64_t>(base.count(), ceiling)));
}

}  // namespace donut
