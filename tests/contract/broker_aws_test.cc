// The broker contract on Amazon SNS + SQS, run against the fauxqs emulator (npm) that this
// binary starts on 127.0.0.1 and stops. SQS keeps its own clock in whole seconds, so the
// visibility timeouts here are one second and the waits generous.
#include <thread>

#include <gtest/gtest.h>

#include "adapters/aws/aws_broker.h"
#include "adapters/clock/clocks.h"
#include "common/ids.h"
#include "support/broker_helpers.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::FauxqsServer;

const bool kFauxqs = testing::use_server<testing::FauxqsServer>();

aws::AwsConfig emulator_config() {
  aws::AwsConfig config;
  config.region = "us-east-1";
  config.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  config.endpoint = FauxqsServer::url();
  return config;
}

class AwsContract : public ::testing::Test {
 protected:
  void SetUp() override {
    // A fresh prefix per test keeps the tests' queues apart on the shared emulator.
    aws::AwsBrokerSettings settings;
    settings.name_prefix = "t" + random_hex(4) + "-";
    broker_ = std::make_unique<aws::AwsBroker>(caller_, settings);
    ports::Topology topology;
    topology.queues.push_back({"work-dlq", Millis(1000), std::chrono::hours(24), "", 0});
    topology.queues.push_back({"work", Millis(1000), std::chrono::hours(1), "work-dlq", 3});
    topology.queues.push_back({"audit", Millis(1000), std::chrono::hours(1), "", 0});
    topology.subscriptions.push_back({"events", "work", {"stock.empty"}});
    topology.subscriptions.push_back({"events", "audit", {}});
    ASSERT_TRUE(broker_->declare(topology));
    ASSERT_TRUE(broker_->declare(topology)) << "declare is idempotent";
  }

  std::vector<ports::ReceivedMessage> receive(std::string_view queue, Millis wait = Millis(2000),
                                              int max = 10) {
    return testing::receive_or_fail(*broker_, queue, wait, max);
  }

  clock::SystemClock clock_;
  std::shared_ptr<const aws::AwsCaller> caller_ =
      std::make_shared<aws::AwsCaller>(emulator_config(), clock_);
  std::unique_ptr<aws::AwsBroker> broker_;
};

TEST_F(AwsContract, ReceivedMessageIsHiddenForTheVisibilityTimeout) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("hello")));
  auto first = receive("work");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].body, "hello");
  EXPECT_EQ(first[0].receive_count, 1);
  EXPECT_EQ(first[0].attributes.at("type"), "stock.empty");
  EXPECT_GT(to_unix_ms(first[0].sent_at), 0);
  EXPECT_TRUE(receive("work", Millis(0)).empty());
  auto stats = broker_->stats("work");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->in_flight, 1);
  EXPECT_EQ(stats->visible, 0);
  EXPECT_EQ(stats->dead_letter_queue, "work-dlq");
  auto second = receive("work", Millis(3000));
  ASSERT_EQ(second.size(), 1u) << "back after the one-second visibility timeout";
  EXPECT_EQ(second[0].message_id, first[0].message_id);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_NE(second[0].receipt, first[0].receipt);
  ASSERT_TRUE(broker_->delete_message("work", second[0].receipt));
  EXPECT_TRUE(broker_->delete_message("work", second[0].receipt)) << "deleting twice is harmless";
  EXPECT_TRUE(receive("work", Millis(1500)).empty());
}

TEST_F(AwsContract, PublishFansOutThroughFilters) {
  ASSERT_TRUE(broker_->publish("events", testing::typed_message("empty", "stock.empty")));
  ASSERT_TRUE(broker_->publish("events", testing::typed_message("arrived", "stock.arrived")));
  auto work = receive("work");
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].body, "empty") << "raw delivery: the body is the message, not an envelope";
  EXPECT_EQ(work[0].attributes.at("type"), "stock.empty");
  std::vector<ports::ReceivedMessage> audit;
  for (int i = 0; i < 5 && audit.size() < 2; ++i) {
    auto more = receive("audit", Millis(1000));
    audit.insert(audit.end(), more.begin(), more.end());
  }
  EXPECT_EQ(audit.size(), 2u);
  EXPECT_TRUE(broker_->publish("nobody-listens", testing::typed_message("x")));
}

TEST_F(AwsContract, ChangeVisibility) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("m")));
  auto first = receive("work");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(broker_->change_visibility("work", first[0].receipt, Millis(0)));
  auto again = receive("work");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  ASSERT_TRUE(broker_->change_visibility("work", again[0].receipt, Millis(30'000)));
  EXPECT_TRUE(receive("work", Millis(1500)).empty()) << "the longer timeout holds";
  ASSERT_TRUE(broker_->delete_message("work", again[0].receipt));
}

TEST_F(AwsContract, RedrivePolicyMovesToTheDeadLetterQueueAndBack) {
  ASSERT_TRUE(broker_->send("work", testing::typed_message("poison")));
  for (int i = 1; i <= 3; ++i) {
    auto got = receive("work", Millis(3000));
    ASSERT_EQ(got.size(), 1u) << "receive " << i;
    EXPECT_EQ(got[0].receive_count, i);
    ASSERT_TRUE(broker_->change_visibility("work", got[0].receipt, Millis(0)));
  }
  EXPECT_TRUE(receive("work", Millis(1000)).empty()) << "the 4th receive dead-letters it";
  auto dead = broker_->peek("work-dlq", 10);
  ASSERT_TRUE(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].body, "poison");
  EXPECT_EQ((*dead)[0].source_queue, "work");
  EXPECT_EQ(broker_->peek("work-dlq", 10)->size(), 1u) << "peeking leaves it there";
  EXPECT_EQ(*broker_->redrive("work-dlq", 100), 1);
  auto back = receive("work");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].body, "poison");
  EXPECT_EQ(back[0].attributes.at("type"), "stock.empty");
  EXPECT_EQ(back[0].receive_count, 1) << "redrive starts the count again";
  EXPECT_EQ(broker_->stats("work-dlq")->visible, 0);
  EXPECT_EQ(broker_->redrive("audit", 10).error().code, ErrorCode::not_found)
      << "audit is no dead-letter queue";
}

TEST_F(AwsContract, BatchDeleteDelayedSendAndPurge) {
  for (int i = 0; i < 12; ++i)
    ASSERT_TRUE(broker_->send("audit", testing::typed_message(std::to_string(i))));
  std::vector<std::string> receipts;
  for (int i = 0; i < 6 && receipts.size() < 12; ++i) {
    for (auto& m : receive("audit", Millis(1000))) receipts.push_back(m.receipt);
  }
  ASSERT_EQ(receipts.size(), 12u);
  ASSERT_TRUE(broker_->delete_messages("audit", receipts));
  EXPECT_EQ(broker_->stats("audit")->in_flight, 0);

  auto delayed = testing::typed_message("delayed");
  delayed.delay = Millis(1000);
  ASSERT_TRUE(broker_->send("audit", delayed));
  EXPECT_EQ(broker_->stats("audit")->delayed, 1);
  auto got = receive("audit", Millis(4000));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "delayed");
  ASSERT_TRUE(broker_->delete_message("audit", got[0].receipt));

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(broker_->send("work-dlq", testing::typed_message("m")));
  EXPECT_EQ(*broker_->purge("work-dlq"), 4);
  EXPECT_EQ(broker_->stats("work-dlq")->visible, 0);
}

TEST_F(AwsContract, LongPollWakesOnSendAndStopsOnRequest) {
  std::thread sender([&] {
    std::this_thread::sleep_for(Millis(300));
    ASSERT_TRUE(broker_->send("audit", testing::typed_message("wake up")));
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = receive("audit", Millis(10'000));
  sender.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, Millis(5000));

  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(Millis(200));
    stop.request_stop();
  });
  ports::ReceiveOptions options;
  options.wait = Millis(20'000);
  const auto t0 = std::chrono::steady_clock::now();
  auto none = broker_->receive("audit", options, stop.get_token());
  stopper.join();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, Millis(5000)) << "the stop cut the poll short";
}

TEST_F(AwsContract, UnknownQueueIsNotFound) {
  EXPECT_EQ(broker_->send("no-such-queue", testing::typed_message("m")).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(broker_->stats("no-such-queue").error().code, ErrorCode::not_found);
}

TEST_F(AwsContract, TerraformManagedModeOnlyLooksUp) {
  // Functions on a Terraform deployment may not create anything: declare resolves the URLs.
  aws::AwsBrokerSettings settings;
  settings.name_prefix = "m" + random_hex(4) + "-";
  settings.manage_resources = false;
  aws::AwsBroker managed(caller_, settings);
  ports::Topology topology;
  topology.queues.push_back({"lonely", Millis(1000), std::chrono::hours(1), "", 0});
  EXPECT_EQ(managed.declare(topology).error().code, ErrorCode::not_found);
  EXPECT_EQ(managed.publish("events", testing::typed_message("m")).error().code,
            ErrorCode::not_found)
      << "topics come from the configuration, never created";
}

}  // namespace
}  // namespace donut
