// OrderService: group commit answers every caller after its own committed transaction, with
// far fewer transactions than orders under concurrency; per-request is one each.
#include "app/order_service.h"

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_store.h"
#include "common/ids.h"
#include "support/temp_dir.h"

namespace donut::app {
namespace {

struct Run {
  int sold = 0;
  int refused = 0;
  OrderService::Counters counters;
  int64_t stock_after = 0;
  int64_t order_rows = 0;
};

Run sell_concurrently(OrderService::Strategy strategy, int threads, int per_thread, int64_t stock) {
  testing::TempDir dir;
  clock::SystemClock clock;
  auto db = sqlite::Database::open({dir.file("w.db"), 4, true});
  EXPECT_TRUE(db);
  sqlite::SqliteStore store(*db, clock);
  EXPECT_TRUE(store.upsert_product({"HOT", "Hot", 100, stock, 0}));
  OrderService service(store, {strategy, 1024, {}});
  std::atomic<int> sold{0}, refused{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        std::promise<Result<domain::OrderOutcome>> answer;
        service.submit({new_id(), "HOT", 1, ""}, [&](Result<domain::OrderOutcome> outcome) {
          answer.set_value(std::move(outcome));
        });
        auto outcome = answer.get_future().get();
        ASSERT_TRUE(outcome);
        (outcome->status == domain::OrderStatus::sold ? sold : refused)++;
      }
    });
  }
  for (auto& c : clients) c.join();
  service.stop();
  Run run;
  run.sold = sold;
  run.refused = refused;
  run.counters = service.counters();
  run.stock_after = store.get_product("HOT")->stock;
  run.order_rows = store.stats()->products.front().orders;
  return run;
}

TEST(OrderService, GroupCommitBatchesConcurrentOrders) {
  const auto run = sell_concurrently(OrderService::Strategy::group_commit, 16, 50, 700);
  EXPECT_EQ(run.sold, 700);
  EXPECT_EQ(run.refused, 100);
  EXPECT_EQ(run.stock_after, 0);
  EXPECT_EQ(run.order_rows, 700);
  EXPECT_EQ(run.counters.orders, 800u);
  EXPECT_LT(run.counters.transactions, run.counters.orders) << "orders shared transactions";
}

TEST(OrderService, PerRequestIsOneTransactionPerOrder) {
  const auto run = sell_concurrently(OrderService::Strategy::per_request, 4, 25, 60);
  EXPECT_EQ(run.sold, 60);
  EXPECT_EQ(run.refused, 40);
  EXPECT_EQ(run.order_rows, 60);
  EXPECT_EQ(run.counters.transactions, 100u);
}

TEST(OrderService, AnswersEverythingQueuedWhenStopped) {
  clock::ManualClock clock;
  testing::TempDir dir;
  auto db = sqlite::Database::open({dir.file("w.db"), 2, true});
  ASSERT_TRUE(db);
  sqlite::SqliteStore store(*db, clock);
  ASSERT_TRUE(store.upsert_product({"P", "P", 1, 1000, 0}));
  std::atomic<int> answered{0};
  {
    OrderService service(store, {});
    for (int i = 0; i < 200; ++i) {
      service.submit({new_id(), "P", 1, ""}, [&](auto outcome) {
        EXPECT_TRUE(outcome);
        ++answered;
      });
    }
  }
  EXPECT_EQ(answered.load(), 200);
  EXPECT_EQ(store.get_product("P")->stock, 800);
}

}  // namespace
}  // namespace donut::app
