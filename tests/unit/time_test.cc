// Every timestamp the system writes is UTC, whatever the process's time zone: the API's
// created_at, the e-mails' Date header and text, the log lines, and SigV4's X-Amz-Date (AWS
// refuses a request signed more than 5 minutes off its clock).

#include "common/time.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "adapters/mail/file_mailer.h"
#include "common/logging.h"
#include "support/time_zone.h"

namespace donut {
namespace {

// 2015-08-30T12:36:00.042Z, a Sunday: in Seoul it is already 21:36, in Kiritimati the next day.
const TimePoint kInstant = from_unix_ms(1'440'938'160'042);

class FarFromUtc : public ::testing::TestWithParam<const char*> {
 protected:
  testing::ScopedTimeZone zone_{GetParam()};
};

TEST_P(FarFromUtc, Rfc3339IsUtc) {
  EXPECT_EQ(format_rfc3339(kInstant), "2015-08-30T12:36:00.042Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(951'782'400'999)), "2000-02-29T00:00:00.999Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(253'402'300'799'999)), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(from_unix_ms(-62'135'596'800'000)), "0001-01-01T00:00:00.000Z");
}

TEST_P(FarFromUtc, CalendarFieldsAreUtc) {
  const UtcTime u = to_utc(kInstant);
  EXPECT_EQ(u.year, 2015);
  EXPECT_EQ(u.month, 8u);
  EXPECT_EQ(u.day, 30u);
  EXPECT_EQ(u.weekday, 0u);
  EXPECT_EQ(u.hour, 12u);
  EXPECT_EQ(u.minute, 36u);
  EXPECT_EQ(u.millisecond, 42u);
}

TEST_P(FarFromUtc, MailDateHeaderIsUtc) {
  EXPECT_EQ(format_rfc5322(kInstant), "Sun, 30 Aug 2015 12:36:00 +0000");
  const auto text = mail::render_eml({"id", "a@b", {"c@d"}, "s", "t"}, kInstant);
  EXPECT_NE(text.find("\r\nDate: Sun, 30 Aug 2015 12:36:00 +0000\r\n"), std::string::npos) << text;
}

TEST_P(FarFromUtc, TextLogLinesAreStampedInUtc) {
  if (!spdlog::get("donut")) init_logging("info", "text");
  ::testing::internal::CaptureStderr();
  const auto before =
      format_rfc3339(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()));
  spdlog::get("donut")->info("a line");
  const auto after =
      format_rfc3339(std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()));
  const std::string line = ::testing::internal::GetCapturedStderr();
  // "2026-12-07T02:41Z..." down to the minute, as before or after the line was written.
  const auto minute = [](const std::string& t) { return t.substr(0, 16); };
  ASSERT_GE(line.size(), 24u) << line;
  EXPECT_TRUE(line.starts_with(minute(before)) || line.starts_with(minute(after)))
      << line << " is not stamped " << before;
  EXPECT_EQ(line[23], 'Z') << line;
}

INSTANTIATE_TEST_SUITE_P(Zones, FarFromUtc,
                         ::testing::Values("UTC", "Asia/Seoul", "Pacific/Kiritimati",
                                           "America/St_Johns"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '/') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace donut
