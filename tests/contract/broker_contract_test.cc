// The broker port's contract (ports/broker.h): SQS semantics, the same test list on every
// engine. The fixture and how time passes on each engine are in broker_contract.h.
#include "contract/broker_contract.h"

namespace donut {
namespace {

using testing::typed_message;

TEST_P(BrokerContract, ReceivedMessageIsHiddenForTheVisibilityTimeout) {
  ASSERT_TRUE(broker_->send(work_, typed_message("hello")));
  auto first = receive(work_);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "hello");
  EXPECT_EQ(first[0].receive_count, 1);
  EXPECT_EQ(first[0].attributes.at("type"), "stock.empty");
  EXPECT_FALSE(first[0].message_id.empty());
  EXPECT_GT(to_unix_ms(first[0].sent_at), 0);
  EXPECT_TRUE(receives_nothing(work_));
  auto stats = broker_->stats(work_);
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->visible, 0);
  EXPECT_EQ(stats->dead_letter_queue, dlq_);
  if (GetParam().no_in_flight_count.empty()) {
    EXPECT_EQ(count(work_, &ports::QueueStats::in_flight, 1), 1);
  }
  pass(visibility());
  auto second = receive(work_);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].receipt, first[0].receipt);
  ASSERT_TRUE(broker_->delete_message(work_, second[0].receipt));
}

TEST_P(BrokerContract, DeleteWithAStaleReceiptIsANoOp) {
  ASSERT_TRUE(broker_->send(work_, typed_message("m")));
  auto first = receive(work_);
  ASSERT_EQ(first.size(), 1u);
  pass(visibility());
  auto second = receive(work_);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(broker_->delete_message(work_, first[0].receipt));
  ASSERT_TRUE(broker_->change_visibility(work_, second[0].receipt, Millis(0)))
      << "the stale receipt deleted nothing: the latest one still holds the message";
  auto third = receive(work_);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3);
  EXPECT_TRUE(broker_->delete_message(work_, third[0].receipt));
  pass(visibility());
  EXPECT_TRUE(receives_nothing(work_));
  EXPECT_TRUE(broker_->delete_message(work_, third[0].receipt)) << "deleting twice is harmless";
}

TEST_P(BrokerContract, PublishFansOutThroughFilters) {
  ASSERT_TRUE(broker_->publish(topic_, typed_message("empty", "stock.empty")));
  ASSERT_TRUE(broker_->publish(topic_, typed_message("arrived", "stock.arrived")));
  auto work = receive(work_);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].body, "empty") << "raw delivery: the body is the message, not an envelope";
  EXPECT_EQ(work[0].attributes.at("type"), "stock.empty");
  EXPECT_EQ(receive(audit_, 2).size(), 2u);
  EXPECT_TRUE(receives_nothing(work_)) << "the filter kept stock.arrived out";
}

TEST_P(BrokerContract, ChangeVisibility) {
  ASSERT_TRUE(broker_->send(work_, typed_message("m")));
  auto first = receive(work_);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(broker_->change_visibility(work_, first[0].receipt, Millis(0)));
  auto again = receive(work_);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  ASSERT_TRUE(broker_->change_visibility(work_, again[0].receipt, 6 * visibility()));
  pass(2 * visibility());
  EXPECT_TRUE(receives_nothing(work_)) << "the longer timeout holds";
  EXPECT_EQ(broker_->change_visibility(work_, first[0].receipt, Millis(0)).error().code,
            ErrorCode::not_found)
      << "a stale receipt changes nothing";
}

TEST_P(BrokerContract, RedrivePolicyMovesToTheDeadLetterQueueAndBack) {
  ASSERT_TRUE(broker_->send(work_, typed_message("poison")));
  for (int i = 1; i <= 3; ++i) {
    auto got = receive(work_);
    ASSERT_EQ(got.size(), 1u) << "receive " << i;
    EXPECT_EQ(got[0].receive_count, i);
    ASSERT_TRUE(broker_->change_visibility(work_, got[0].receipt, Millis(0)));
  }
  EXPECT_TRUE(receives_nothing(work_)) << "the 4th receive dead-letters it instead";
  auto dead = peek(dlq_, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].source_queue, work_);
  EXPECT_EQ(peek(dlq_, 1).size(), 1u) << "peeking leaves it there";
  EXPECT_EQ(count(dlq_, &ports::QueueStats::visible, 1), 1);
  EXPECT_EQ(count(work_, &ports::QueueStats::visible, 0), 0);

  EXPECT_EQ(*broker_->redrive(dlq_, 100), 1);
  auto back = receive(work_);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].body, "poison");
  EXPECT_EQ(back[0].attributes.at("type"), "stock.empty");
  EXPECT_EQ(back[0].receive_count, 1) << "redrive starts the count again";
  EXPECT_EQ(count(dlq_, &ports::QueueStats::visible, 0), 0);
  EXPECT_EQ(broker_->redrive(audit_, 10).error().code, ErrorCode::not_found)
      << "audit is no dead-letter queue";
  ASSERT_TRUE(broker_->delete_message(work_, back[0].receipt));
}

TEST_P(BrokerContract, DelayedMessagesWait) {
  auto m = typed_message("later");
  m.delay = visibility();
  ASSERT_TRUE(broker_->send(audit_, m));
  EXPECT_TRUE(receives_nothing(audit_));
  EXPECT_EQ(count(audit_, &ports::QueueStats::delayed, 1), 1);
  pass(visibility());
  auto got = receive(audit_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "later");
}

TEST_P(BrokerContract, RetentionDropsOldMessages) {
  if (!GetParam().no_short_retention.empty()) GTEST_SKIP() << GetParam().no_short_retention;
  ASSERT_TRUE(broker_->send(work_, typed_message("old")));
  pass(retention() + Millis(1));
  EXPECT_TRUE(receives_nothing(work_));
  EXPECT_EQ(broker_->stats(work_)->visible, 0);
}

TEST_P(BrokerContract, MaxMessagesAndBatchDelete) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(broker_->send(work_, typed_message(std::to_string(i))));
  auto batch =
      testing::receive_or_fail(*broker_, work_, GetParam().real_time ? visibility() : Millis(0), 3);
  ASSERT_GE(batch.size(), 1u);
  ASSERT_LE(batch.size(), 3u) << "never more than asked for";
  std::vector<std::string> receipts;
  for (const auto& m : batch) receipts.push_back(m.receipt);
  ASSERT_TRUE(broker_->delete_messages(work_, receipts));
  const std::size_t left = 5 - batch.size();
  auto rest = receive(work_, left);
  EXPECT_EQ(rest.size(), left);
  pass(visibility());
  EXPECT_EQ(receive(work_, left).size(), left) << "only the deleted ones are gone";
}

TEST_P(BrokerContract, PurgeEmptiesAQueue) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(broker_->send(audit_, typed_message("m")));
  EXPECT_EQ(*broker_->purge(audit_), 4);
  EXPECT_TRUE(receives_nothing(audit_));
  EXPECT_EQ(count(audit_, &ports::QueueStats::visible, 0), 0);
}

TEST_P(BrokerContract, UnknownQueueIsNotFound) {
  const std::string missing = "no-such-queue-" + random_hex(4);
  EXPECT_EQ(broker_->send(missing, typed_message("m")).error().code, ErrorCode::not_found);
  EXPECT_EQ(broker_->stats(missing).error().code, ErrorCode::not_found);
  EXPECT_TRUE(broker_->send(work_, typed_message("still works after the error")));
}

TEST_P(BrokerContract, LongPollReturnsWhenAMessageArrives) {
  ports::ReceiveOptions options;
  options.wait = Millis(5'000);
  std::thread sender([&] {
    std::this_thread::sleep_for(Millis(200));
    ASSERT_TRUE(broker_->send(audit_, typed_message("wake up")));
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = broker_->receive(audit_, options, {});
  const auto waited = std::chrono::steady_clock::now() - started;
  sender.join();
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  EXPECT_LT(waited, Millis(4'000)) << "woken by the send, not by the end of the wait";
}

TEST_P(BrokerContract, LongPollStopsOnRequest) {
  ports::ReceiveOptions options;
  options.wait = Millis(20'000);
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(Millis(200));
    stop.request_stop();
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = broker_->receive(audit_, options, stop.get_token());
  stopper.join();
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - started, Millis(5'000)) << "the stop cut it short";
}

}  // namespace
}  // namespace donut
