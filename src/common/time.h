// Time values shared by every layer: wall-clock instants in milliseconds since the Unix epoch
// (what is stored in databases and messages) and their renderings for humans and protocols.
//
// Every rendering is in UTC, whatever the process's time zone (TZ): the calendar is computed
// with <chrono>'s civil-date arithmetic, never through the C library's local time, so a host set
// to Asia/Seoul writes the same "...Z" text as Lambda does.
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

// The UTC calendar date and time of day of an instant.
struct UtcTime {
  int year = 1970;
  unsigned month = 1;    // 1..12
  unsigned day = 1;      // 1..31
  unsigned weekday = 4;  // 0 = Sunday
  unsigned hour = 0, minute = 0, second = 0, millisecond = 0;
};
UtcTime to_utc(TimePoint t);

// "2026-11-24T10:15:30.123Z"
std::string format_rfc3339(TimePoint t);
// The inverse of format_rfc3339 (exactly that form, UTC with milliseconds); nullopt otherwise.
std::optional<TimePoint> parse_rfc3339(std::string_view text);

// "Tue, 24 Nov 2026 10:15:30 +0000" (RFC 5322's Date header)
std::string format_rfc5322(TimePoint t);

}  // namespace donut
