// Time values shared by every layer: wall-clock instants in milliseconds since the Unix epoch
// (what is stored in databases and messages) and their RFC 3339 rendering for humans.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace donut {

using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Millis>;

inline int64_t to_unix_ms(TimePoint t) {
  return t.time_since_epoch().count();
}
inline TimePoint from_unix_ms(int64_t ms) {
  return TimePoint(Millis(ms));
}

// "2026-11-24T10:15:30.123Z"
std::string format_rfc3339(TimePoint t);
// The inverse of format_rfc3339 (exactly that form, UTC with milliseconds); nullopt otherwise.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace donut
