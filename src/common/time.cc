#include "common/time.h"

#include <cstdio>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace donut {

std::string format_rfc3339(TimePoint t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t);
  const auto millis = (t - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", seconds, millis);
}

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 24) return std::nullopt;
  const std::string copy(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0, consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h, &mi, &s, &ms,
                  &consumed) != 7 ||
      consumed != 24) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 59 || ms < 0 || h < 0 || mi < 0 || s < 0) {
    return std::nullopt;
  }
  return TimePoint(sys_days(date).time_since_epoch() + hours(h) + minutes(mi) + seconds(s) +
                   milliseconds(ms));
}

}  // namespace donut
