// Crash tests on the embedded engines: `donut up` on one SQLite file, killed with SIGKILL at
// random moments under load and restarted, 50 times (DONUT_CRASH_POINTS for more). The
// invariants checked after each crash are in crash_harness.h; the same harness runs on MariaDB
// and RabbitMQ in mysql_system_test.cc.
#include <cstdlib>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_store.h"
#include "integration/crash_harness.h"

namespace donut {
namespace {

TEST(Crash, KillNineAtRandomPointsLosesNothingAndAppliesNothingTwice) {
  static const clock::SystemClock clock;
  testing::TempDir dir;
  const std::string path = dir.file("warehouse.db");
  testing::CrashRun run;
  run.crash_points = testing::crash_points_from_environment(50);
  run.open_store = [&]() -> std::unique_ptr<ports::Store> {
    auto db = sqlite::Database::open({path, 1, true});
    EXPECT_TRUE(db);
    if (!db) throw ErrorException(db.error());
    return std::make_unique<sqlite::SqliteStore>(*db, clock);
  };
  run.explain_stuck = [&] {
    std::system(("sqlite3 " + path +
                 " 'select * from restocks; select queue, receive_count, visible_at_ms, body from "
                 "broker_messages; select id, type, published_at_ms from outbox order by id desc "
                 "limit 5' >&2")
                    .c_str());
  };
  testing::run_crash_rounds(run, dir);
}

}  // namespace
}  // namespace donut
