// Retention (app/pruner.h) over the in-memory warehouse: windows it refuses, a pass deleting
// what is due batch by batch, and exactly-once kept: a redelivered arrival after a pass with the
// shortest windows allowed changes nothing.
#include "app/pruner.h"

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_store.h"
#include "common/deadline.h"

namespace donut::app {
namespace {

using namespace std::chrono_literals;

TEST(Retention, AnArrivalsWindowShorterThanAMessageCanLiveIsRefused) {
  EXPECT_TRUE(validate(RetentionWindows{}));
  RetentionWindows short_arrivals;
  short_arrivals.arrivals = 3 * ports::kDefaultRetention;
  auto refused = validate(short_arrivals);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(refused.error().message.find("arrivals"), std::string::npos);
  EXPECT_FALSE(
      validate(RetentionWindows{.arrivals = std::chrono::hours(24 * 20)}, kSqsMinimumArrivalWindow))
      << "where a dead-letter queue keeps messages 14 days, 20 days are too few";
  RetentionWindows minutes;
  minutes.idempotency_keys = 10min;
  EXPECT_FALSE(validate(minutes));
}

class PrunerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.upsert_product({"CP-1", "Glazed", 250, 1000, 5})); }
  Pruner::Options shortest() const {
    Pruner::Options o;
    o.windows.idempotency_keys = 1h;
    o.windows.published_outbox = 1h;
    o.windows.timeline_entries = 1h;
    o.windows.arrivals = kMinimumArrivalWindow;
    o.batch = 3;
    o.pause = 0ms;
    return o;
  }
  void place_keyed_orders(int n) {
    for (int i = 0; i < n; ++i) {
      std::vector<domain::OrderRequest> keyed{{new_id(), "CP-1", 1, "k" + std::to_string(i)}};
      ASSERT_TRUE(store_.place_orders(keyed));
    }
  }
  clock::ManualClock clock_;
  memory::MemoryStore store_{clock_};
};

TEST_F(PrunerTest, APassDeletesWhatIsDueBatchByBatch) {
  ASSERT_NO_FATAL_FAILURE(place_keyed_orders(7));
  clock_.advance(2h);
  Pruner pruner(store_, clock_, shortest());
  auto pass = pruner.prune_due();
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_EQ(pass->idempotency_keys, 7) << "three batches: 3, 3 and 1";
  EXPECT_EQ(pruner.prune_due()->idempotency_keys, 0);
}

// In a Lambda invocation the pass shares the invocation's time: no batch begins with less than
// its budget left before the deadline, and what is left waits for the next pass.
TEST_F(PrunerTest, NoBatchBeginsTooCloseToTheDeadline) {
  ASSERT_NO_FATAL_FAILURE(place_keyed_orders(7));
  clock_.advance(2h);
  Pruner pruner(store_, clock_, shortest());
  const auto wall_now = [] {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  };
  {
    DeadlineScope almost_over(wall_now() + 1s);  // under the 2 s a batch may take
    auto pass = pruner.prune_due();
    ASSERT_TRUE(pass) << pass.error().message;
    EXPECT_TRUE(pass->cut_short);
    EXPECT_EQ(pass->idempotency_keys, 0);
  }
  DeadlineScope ample(wall_now() + 60s);
  auto pass = pruner.prune_due();
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_FALSE(pass->cut_short);
  EXPECT_EQ(pass->idempotency_keys, 7) << "the next pass takes what was left";
}

TEST_F(PrunerTest, ARedeliveredArrivalAfterPruningWithTheShortestWindowsChangesNothing) {
  ASSERT_TRUE(store_.set_stock("CP-1", 1));
  std::vector<domain::OrderRequest> last{{new_id(), "CP-1", 1, ""}};
  auto sold = store_.place_orders(last);
  ASSERT_TRUE(sold);
  const domain::Arrival arrival{"req-1", (*sold)[0].restock_id, "CP-1", 5, "F", clock_.now()};
  ASSERT_EQ(store_.apply_arrival(arrival)->status, domain::ArrivalStatus::applied);
  // The longest a message can live: in the queue, its dead-letter queue, the queue again.
  clock_.advance(3 * ports::kDefaultRetention);
  Pruner pruner(store_, clock_, shortest());
  auto pass = pruner.prune_due();
  ASSERT_TRUE(pass) << pass.error().message;
  EXPECT_GT(pass->timeline_entries, 0) << "the rest went";
  EXPECT_EQ(pass->arrivals, 0);
  EXPECT_EQ(store_.apply_arrival(arrival)->status, domain::ArrivalStatus::duplicate);
  EXPECT_EQ(store_.get_product("CP-1")->stock, 5);
}

}  // namespace
}  // namespace donut::app
