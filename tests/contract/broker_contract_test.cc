// The broker port's contract (ports/broker.h): SQS semantics on every engine. Run against the
// in-memory fake and the embedded SQLite broker, with a ManualClock so visibility timeouts,
// delays and retention are tested by moving time instead of sleeping.
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_broker.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "support/broker_helpers.h"
#include "support/temp_dir.h"

namespace donut {
namespace {

using ports::OutgoingMessage;
using ports::ReceiveOptions;

struct BrokerEngine {
  std::string name;
  std::function<std::unique_ptr<ports::Broker>(const ports::Clock&, testing::TempDir&)> make;
};

std::ostream& operator<<(std::ostream& out, const BrokerEngine& e) {
  return out << e.name;
}

class BrokerContract : public ::testing::TestWithParam<BrokerEngine> {
 protected:
  void SetUp() override {
    broker_ = GetParam().make(clock_, dir_);
    ports::Topology topology;
    topology.queues.push_back({"work-dlq", Millis(10'000), std::chrono::hours(24), "", 0});
    topology.queues.push_back({"work", Millis(10'000), std::chrono::hours(1), "work-dlq", 3});
    topology.queues.push_back({"audit", Millis(10'000), std::chrono::hours(1), "", 0});
    topology.subscriptions.push_back({"events", "work", {"stock.empty"}});
    topology.subscriptions.push_back({"events", "audit", {}});
    ASSERT_TRUE(broker_->declare(topology));
    ASSERT_TRUE(broker_->declare(topology)) << "declare is idempotent";
  }

  std::vector<ports::ReceivedMessage> receive(std::string_view queue, int max = 10) {
    return testing::receive_or_fail(*broker_, queue, Millis(0), max);
  }

  clock::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<ports::Broker> broker_;
};

TEST_P(BrokerContract, ReceivedMessageIsHiddenForTheVisibilityTimeout) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("hello")));
  auto first = receive("work");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "hello");
  EXPECT_EQ(first[0].receive_count, 1);
  EXPECT_EQ(first[0].attributes.at("type"), "stock.empty");
  EXPECT_TRUE(receive("work").empty());
  auto stats = broker_->stats("work");
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->visible, 0);
  clock_.advance(Millis(10'000));
  auto second = receive("work");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].receipt, first[0].receipt);
}

TEST_P(BrokerContract, DeleteWithAStaleReceiptIsANoOp) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("m")));
  auto first = receive("work");
  clock_.advance(Millis(10'000));
  auto second = receive("work");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(broker_->delete_message("work", first[0].receipt));
  EXPECT_EQ(broker_->stats("work")->in_flight, 1) << "the stale receipt deleted nothing";
  EXPECT_TRUE(broker_->delete_message("work", second[0].receipt));
  clock_.advance(Millis(10'000));
  EXPECT_TRUE(receive("work").empty());
  EXPECT_TRUE(broker_->delete_message("work", second[0].receipt)) << "deleting twice is harmless";
}

TEST_P(BrokerContract, PublishFansOutThroughFilters) {
  ASSERT_TRUE(broker_->publish("events", testing::typed_message("empty", "stock.empty")));
  ASSERT_TRUE(broker_->publish("events", testing::typed_message("arrived", "stock.arrived")));
  auto work = receive("work");
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].body, "empty");
  auto audit = receive("audit");
  EXPECT_EQ(audit.size(), 2u);
  EXPECT_TRUE(broker_->publish("nobody-listens", testing::typed_message("x")));
}

TEST_P(BrokerContract, ChangeVisibility) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("m")));
  auto first = receive("work");
  ASSERT_TRUE(broker_->change_visibility("work", first[0].receipt, Millis(0)));
  auto again = receive("work");
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(broker_->change_visibility("work", again[0].receipt, Millis(60'000)));
  clock_.advance(Millis(30'000));
  EXPECT_TRUE(receive("work").empty()) << "the longer timeout holds";
  EXPECT_EQ(broker_->change_visibility("work", first[0].receipt, Millis(0)).error().code,
            ErrorCode::not_found);
}

TEST_P(BrokerContract, RedrivePolicyMovesToTheDeadLetterQueueAndBack) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("poison")));
  for (int i = 1; i <= 3; ++i) {
    auto got = receive("work");
    ASSERT_EQ(got.size(), 1u) << "receive " << i;
    EXPECT_EQ(got[0].receive_count, i);
    clock_.advance(Millis(10'000));
  }
  EXPECT_TRUE(receive("work").empty()) << "the 4th receive dead-letters it instead";
  auto dead = broker_->peek("work-dlq", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].body, "poison");
  EXPECT_EQ((*dead)[0].source_queue, "work");
  EXPECT_EQ(broker_->stats("work-dlq")->visible, 1);
  EXPECT_EQ(broker_->stats("work")->visible + broker_->stats("work")->in_flight, 0);

  EXPECT_EQ(*broker_->redrive("work-dlq", 100), 1);
  EXPECT_EQ(broker_->stats("work-dlq")->visible, 0);
  auto back = receive("work");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].body, "poison");
  EXPECT_EQ(back[0].receive_count, 1) << "redrive starts the count again";
}

TEST_P(BrokerContract, DelayedMessagesWait) {
  auto m = testing::typed_message("later");
  m.delay = Millis(5'000);
  ASSERT_TRUE(broker_->send("work", m));
  EXPECT_TRUE(receive("work").empty());
  EXPECT_EQ(broker_->stats("work")->delayed, 1);
  clock_.advance(Millis(5'000));
  EXPECT_EQ(receive("work").size(), 1u);
}

TEST_P(BrokerContract, RetentionDropsOldMessages) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("old")));
  clock_.advance(std::chrono::hours(1) + Millis(1));
  EXPECT_TRUE(receive("work").empty());
  EXPECT_EQ(broker_->stats("work")->visible, 0);
}

TEST_P(BrokerContract, MaxMessagesAndBatchDelete) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(broker_->send("work", testing::typed_message("m" + std::to_string(i))));
  auto batch = receive("work", 3);
  ASSERT_EQ(batch.size(), 3u);
  std::vector<std::string> receipts;
  for (const auto& m : batch) receipts.push_back(m.receipt);
  ASSERT_TRUE(broker_->delete_messages("work", receipts));
  EXPECT_EQ(receive("work", 10).size(), 2u);
  clock_.advance(Millis(10'000));
  EXPECT_EQ(receive("work", 10).size(), 2u) << "only the deleted three are gone";
}

TEST_P(BrokerContract, PurgeEmptiesAQueue) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(broker_->send("audit", testing::typed_message("m")));
  EXPECT_EQ(*broker_->purge("audit"), 4);
  EXPECT_TRUE(receive("audit").empty());
}

TEST_P(BrokerContract, UnknownQueueIsNotFound) {
  EXPECT_EQ(broker_->send("missing", testing::typed_message("m")).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(broker_->receive("missing", {}, {}).error().code, ErrorCode::not_found);
  EXPECT_EQ(broker_->stats("missing").error().code, ErrorCode::not_found);
}

TEST_P(BrokerContract, LongPollReturnsWhenAMessageArrives) {
  ReceiveOptions options;
  options.wait = Millis(5'000);
  std::thread sender([&] {
    std::this_thread::sleep_for(Millis(200));
    ASSERT_TRUE(broker_->send("work", testing::typed_message("wake up")));
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = broker_->receive("work", options, {});
  const auto waited = std::chrono::steady_clock::now() - started;
  sender.join();
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_LT(waited, Millis(4'000)) << "woken by the send, not by the end of the wait";
}

TEST_P(BrokerContract, LongPollStopsOnRequest) {
  ReceiveOptions options;
  options.wait = Millis(10'000);
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(Millis(200));
    stop.request_stop();
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = broker_->receive("work", options, stop.get_token());
  stopper.join();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, Millis(5'000));
}

INSTANTIATE_TEST_SUITE_P(
    Engines, BrokerContract,
    ::testing::Values(BrokerEngine{"memory",
                                   [](const ports::Clock& clock, testing::TempDir&) {
                                     return std::make_unique<memory::MemoryBroker>(clock);
                                   }},
                      BrokerEngine{
                          "sqlite",
                          [](const ports::Clock& clock,
                             testing::TempDir& dir) -> std::unique_ptr<ports::Broker> {
                            auto db = sqlite::Database::open({dir.file("broker.db"), 2, true});
                            if (!db) throw ErrorException(db.error());
                            return std::make_unique<sqlite::SqliteBroker>(*db, clock);
                          }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
