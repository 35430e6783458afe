// Crash tests on the embedded engines: `donut up` on one SQLite file, killed with SIGKILL at
// random moments under load and restarted, 50 times (DONUT_CRASH_POINTS for more). The
// invariants checked after each crash are in crash_harness.h; the same harness runs on MariaDB
// and RabbitMQ in mysql_system_test.cc and on SNS + SQS in aws_system_test.cc.
#include <gtest/gtest.h>

#include "integration/crash_harness.h"

namespace donut {
namespace {

TEST(Crash, KillNineAtRandomPointsLosesNothingAndAppliesNothingTwice) {
  testing::TempDir dir;
  testing::CrashRun run;
  run.crash_points = testing::crash_points_from_environment(50);
  testing::use_sqlite_warehouse(run, dir.file("warehouse.db"));
  testing::run_crash_rounds(run, dir);
}

}  // namespace
}  // namespace donut
