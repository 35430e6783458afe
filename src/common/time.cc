#include "common/time.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace donut {

std::string format_rfc3339(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto millis = (t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds, millis);
}

}  // namespace donut
