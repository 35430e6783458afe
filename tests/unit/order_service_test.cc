// OrderService: group commit answers every caller after its own committed transaction, with
// far fewer transactions than orders under concurrency; per-request is one each.
#include "app/order_service.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_store.h"
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
  OrderService service(store, {strategy, 1024, {}, {}});
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

// A SQLite warehouse with one product, "P".
struct OneProduct {
  explicit OneProduct(int64_t stock) {
    auto opened = sqlite::Database::open({dir.file("w.db"), 2, true});
    EXPECT_TRUE(opened);
    store = std::make_unique<sqlite::SqliteStore>(*opened, clock);
    EXPECT_TRUE(store->upsert_product({"P", "P", 1, stock, 0}));
  }
  testing::TempDir dir;
  clock::ManualClock clock;
  std::unique_ptr<sqlite::SqliteStore> store;
};

TEST(OrderService, PerRequestIsOneTransactionPerOrder) {
  const auto run = sell_concurrently(OrderService::Strategy::per_request, 4, 25, 60);
  EXPECT_EQ(run.sold, 60);
  EXPECT_EQ(run.refused, 40);
  EXPECT_EQ(run.order_rows, 60);
  EXPECT_EQ(run.counters.transactions, 100u);
}

TEST(OrderService, AnswersEverythingQueuedWhenStopped) {
  OneProduct shop(1000);
  auto& store = *shop.store;
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

TEST(OrderService, CallerCommitsDecidesWhatIsQueuedInBatchesOnTheCallersThread) {
  OneProduct shop(4);
  auto& store = *shop.store;
  OrderService service(store, {OrderService::Strategy::caller_commits, 2, {}, {}});
  std::vector<domain::OrderStatus> answers;
  const auto caller = std::this_thread::get_id();
  for (int i = 0; i < 5; ++i) {
    service.submit({new_id(), "P", 1, ""}, [&](Result<domain::OrderOutcome> outcome) {
      ASSERT_TRUE(outcome);
      EXPECT_EQ(std::this_thread::get_id(), caller);
      answers.push_back(outcome->status);
    });
  }
  EXPECT_TRUE(answers.empty());  // nothing is decided until the owner commits
  EXPECT_EQ(service.queued(), 5u);
  EXPECT_EQ(service.commit_queued(), 5u);
  EXPECT_EQ(service.queued(), 0u);
  EXPECT_EQ(service.counters().transactions, 3u);  // batches of at most max_batch = 2
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(std::count(answers.begin(), answers.end(), domain::OrderStatus::sold), 4);
  EXPECT_EQ(answers.back(), domain::OrderStatus::out_of_stock);
  EXPECT_EQ(service.commit_queued(), 0u);
}

// The host's executor gets one task per batch, which answers that batch's orders in their
// order; nothing is answered before the task runs.
TEST(OrderService, HandsEachBatchsAnswersOverAsOneTask) {
  OneProduct shop(3);
  auto& store = *shop.store;
  std::vector<std::function<void()>> handed;
  OrderService service(
      store, {OrderService::Strategy::caller_commits, 8, {}, [&](std::function<void()> task) {
                handed.push_back(task);
              }});
  std::vector<std::string> answered;
  for (int i = 0; i < 5; ++i) {
    service.submit({"o-" + std::to_string(i), "P", 1, ""},
                   [&, i](Result<domain::OrderOutcome> outcome) {
                     ASSERT_TRUE(outcome);
                     answered.push_back("o-" + std::to_string(i) + " " +
                                        std::string(domain::to_string(outcome->status)));
                   });
  }
  EXPECT_EQ(service.commit_queued(), 5u);
  ASSERT_EQ(handed.size(), 1u) << "one hand-over for the whole batch";
  EXPECT_TRUE(answered.empty()) << "the answers wait for the host's thread";
  handed.front()();
  EXPECT_EQ(answered, (std::vector<std::string>{"o-0 sold", "o-1 sold", "o-2 sold",
                                                "o-3 out_of_stock", "o-4 out_of_stock"}));
  EXPECT_EQ(store.get_product("P")->stock, 0) << "decided before the answers were handed over";
}

// Two writers taking turns: the second takes the next batch once the first one's products are
// locked, so orders queued one after the other are still decided in that order.
TEST(OrderService, PipelinedWritersDecideAProductsOrdersInTheOrderTheyWereQueued) {
  clock::ManualClock clock;
  memory::MemoryStore store(clock);
  ASSERT_TRUE(store.upsert_product({"P", "P", 1, 1500, 0}));
  constexpr int kOrders = 2000;
  std::vector<std::optional<domain::OrderOutcome>> outcomes(kOrders);
  {
    OrderService service(store, {OrderService::Strategy::group_commit, 16, {}, {}, 2});
    for (int i = 0; i < kOrders; ++i) {
      service.submit({new_id(), "P", 1, ""}, [&outcomes, i](Result<domain::OrderOutcome> outcome) {
        ASSERT_TRUE(outcome);
        outcomes[i] = std::move(*outcome);
      });
    }
    service.stop();
    EXPECT_GE(service.counters().transactions, kOrders / 16u);
  }
  int64_t previous_left = 1500;
  for (int i = 0; i < kOrders; ++i) {
    ASSERT_TRUE(outcomes[i]) << "order " << i << " was answered";
    if (i < 1500) {
      ASSERT_EQ(outcomes[i]->status, domain::OrderStatus::sold) << "order " << i;
      ASSERT_EQ(outcomes[i]->stock_left, previous_left - 1) << "order " << i;
      previous_left = outcomes[i]->stock_left;
    } else {
      ASSERT_EQ(outcomes[i]->status, domain::OrderStatus::out_of_stock) << "order " << i;
    }
  }
  EXPECT_EQ(store.get_product("P")->stock, 0);
}

// The store's first batch locks its products, lets the next writer go, and is held there:
// the COMMIT of a batch that is still on its way to disk.
class FirstBatchHeld : public memory::MemoryStore {
 public:
  using memory::MemoryStore::MemoryStore;
  using memory::MemoryStore::place_orders;
  Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests,
      const std::function<void()>& locked) override {
    if (calls_.fetch_add(1) == 0) {
      if (locked) locked();
      first_locked.set_value();
      release.get_future().wait();
      first_returned = true;
      return memory::MemoryStore::place_orders(requests, {});
    }
    return memory::MemoryStore::place_orders(requests, locked);
  }
  std::promise<void> first_locked;
  std::promise<void> release;
  std::atomic<bool> first_returned{false};

 private:
  std::atomic<int> calls_{0};
};

// A batch that only replays a key writes nothing, so its COMMIT flushes nothing: answered while
// the batch that recorded the key is still committing, a crash could lose the sale it replays.
TEST(OrderService, PipelinedWritersAnswerABatchOnlyOnceTheOnesBeforeItReturned) {
  clock::ManualClock clock;
  FirstBatchHeld store(clock);
  ASSERT_TRUE(store.upsert_product({"P", "P", 1, 10, 0}));
  std::atomic<bool> second_answered{false};
  std::atomic<bool> second_after_first{false};
  {
    OrderService service(store, {OrderService::Strategy::group_commit, 1, {}, {}, 2});
    service.submit({new_id(), "P", 1, "key-1"},
                   [](Result<domain::OrderOutcome> outcome) { EXPECT_TRUE(outcome); });
    store.first_locked.get_future().wait();
    service.submit({new_id(), "P", 1, "key-2"}, [&](Result<domain::OrderOutcome> outcome) {
      EXPECT_TRUE(outcome);
      second_after_first = store.first_returned.load();
      second_answered = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(second_answered) << "answered while the batch before it was still committing";
    store.release.set_value();
    service.stop();
  }
  EXPECT_TRUE(second_answered);
  EXPECT_TRUE(second_after_first);
}

TEST(OrderService, CallerCommitsRefusesWhatIsStillQueuedWhenItStops) {
  OneProduct shop(4);
  auto& store = *shop.store;
  std::optional<Error> refused;
  {
    OrderService service(store, {OrderService::Strategy::caller_commits, 8, {}, {}});
    service.submit({new_id(), "P", 1, ""}, [&](Result<domain::OrderOutcome> outcome) {
      ASSERT_FALSE(outcome);
      refused = outcome.error();
    });
  }
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, ErrorCode::unavailable);
  EXPECT_EQ(store.get_product("P")->stock, 4);  // never decided
}

}  // namespace
}  // namespace donut::app
