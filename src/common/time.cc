#include "common/time.h"

#include <cstdio>

#include <fmt/format.h>

namespace donut {

UtcTime to_utc(TimePoint t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day date{sys_days(days)};
  const hh_mm_ss<Millis> clock{t - days};
  UtcTime utc;
  utc.year = static_cast<int>(date.year());
  utc.month = static_cast<unsigned>(date.month());
  utc.day = static_cast<unsigned>(date.day());
  utc.weekday = weekday(sys_days(days)).c_encoding();
  utc.hour = static_cast<unsigned>(clock.hours().count());
  utc.minute = static_cast<unsigned>(clock.minutes().count());
  utc.second = static_cast<unsigned>(clock.seconds().count());
  utc.millisecond = static_cast<unsigned>(clock.subseconds().count());
  return utc;
}

namespace {

// Writes `value` as exactly `width` decimal digits ending at `end` (the leading ones zero).
void put_digits(char* end, unsigned value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Every sold order's answer carries one: written digit by digit into a fixed layout, the
// cost of a few stores rather than of a format string parsed at run time.
std::string format_rfc3339(TimePoint t) {
  const UtcTime u = to_utc(t);
  if (u.year < 0 || u.year > 9999) {
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", u.year, u.month, u.day,
                       u.hour, u.minute, u.second, u.millisecond);
  }
  std::string text = "0000-00-00T00:00:00.000Z";
  char* p = text.data();
  put_digits(p + 4, static_cast<unsigned>(u.year), 4);
  put_digits(p + 7, u.month, 2);
  put_digits(p + 10, u.day, 2);
  put_digits(p + 13, u.hour, 2);
  put_digits(p + 16, u.minute, 2);
  put_digits(p + 19, u.second, 2);
  put_digits(p + 23, u.millisecond, 3);
  return text;
}

std::string format_rfc5322(TimePoint t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const UtcTime u = to_utc(t);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} +0000", kDays[u.weekday], u.day,
                     kMonths[u.month - 1], u.year, u.hour, u.minute, u.second);
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
