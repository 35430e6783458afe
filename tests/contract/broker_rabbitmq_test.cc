// The broker contract on RabbitMQ, against a real server this binary starts and stops. Time is
// real here (RabbitMQ keeps its own), so the timings are short and the waits generous. Where
// AMQP differs from SQS (no timer-driven redelivery while a consumer holds a message; no
// in-flight count) the adapter's documented behaviour is checked instead.
#include <thread>

#include <gtest/gtest.h>

#include "adapters/rabbitmq/rabbitmq_broker.h"
#include "common/ids.h"
#include "support/broker_helpers.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::RabbitMqServer;

const bool kServer = testing::use_server<testing::RabbitMqServer>();

class RabbitContract : public ::testing::Test {
 protected:
  void SetUp() override {
    auto settings = rabbitmq::Settings::from_url(RabbitMqServer::url());
    ASSERT_TRUE(settings);
    broker_ = std::make_unique<rabbitmq::RabbitBroker>(*settings);
    const std::string suffix = random_hex(4);
    work_ = "work-" + suffix;
    dlq_ = work_ + "-dlq";
    audit_ = "audit-" + suffix;
    topic_ = "events-" + suffix;
    ports::Topology topology;
    topology.queues.push_back({dlq_, Millis(300), std::chrono::hours(24), "", 0});
    topology.queues.push_back({work_, Millis(300), std::chrono::hours(1), dlq_, 3});
    topology.queues.push_back({audit_, Millis(300), std::chrono::hours(1), "", 0});
    topology.subscriptions.push_back({topic_, work_, {"stock.empty"}});
    topology.subscriptions.push_back({topic_, audit_, {}});
    ASSERT_TRUE(broker_->declare(topology));
    ASSERT_TRUE(broker_->declare(topology)) << "declare is idempotent";
  }

  std::vector<ports::ReceivedMessage> receive(const std::string& queue, Millis wait = Millis(2000),
                                              int max = 10) {
    return testing::receive_or_fail(*broker_, queue, wait, max);
  }

  std::unique_ptr<rabbitmq::RabbitBroker> broker_;
  std::string work_, dlq_, audit_, topic_;
};

TEST_F(RabbitContract, SendReceiveDelete) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("hello")));
  auto got = receive(work_);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "hello");
  EXPECT_EQ(got[0].receive_count, 1);
  EXPECT_EQ(got[0].attributes.at("type"), "stock.empty");
  EXPECT_FALSE(got[0].message_id.empty());
  ASSERT_TRUE(broker_->delete_message(work_, got[0].receipt));
  EXPECT_TRUE(broker_->delete_message(work_, got[0].receipt)) << "settling twice is a no-op";
  EXPECT_TRUE(receive(work_, Millis(500)).empty());
}

TEST_F(RabbitContract, PublishFansOutThroughFilters) {
  ASSERT_TRUE(broker_->publish(topic_, testing::typed_message("empty", "stock.empty")));
  ASSERT_TRUE(broker_->publish(topic_, testing::typed_message("arrived", "stock.arrived")));
  auto work = receive(work_);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].body, "empty");
  std::vector<ports::ReceivedMessage> audit;
  for (int i = 0; i < 5 && audit.size() < 2; ++i) {
    auto more = receive(audit_, Millis(500));
    audit.insert(audit.end(), more.begin(), more.end());
  }
  EXPECT_EQ(audit.size(), 2u);
}

TEST_F(RabbitContract, ReturnedMessagesCountTheirReceives) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("again")));
  auto first = receive(work_);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(broker_->change_visibility(work_, first[0].receipt, Millis(0)));
  auto second = receive(work_);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].receive_count, 2);
  EXPECT_EQ(broker_->change_visibility(work_, first[0].receipt, Millis(0)).error().code,
            ErrorCode::not_found);
  // Left unsettled past the visibility timeout (300 ms), it comes back at the next receive.
  std::this_thread::sleep_for(Millis(400));
  auto third = receive(work_);
  ASSERT_EQ(third.size(), 1u);
  EXPECT_EQ(third[0].receive_count, 3);
  ASSERT_TRUE(broker_->delete_message(work_, third[0].receipt));
}

TEST_F(RabbitContract, DelayedRetryKeepsCounting) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("later")));
  auto first = receive(work_);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_TRUE(broker_->change_visibility(work_, first[0].receipt, Millis(600)));
  EXPECT_TRUE(receive(work_, Millis(200)).empty()) << "waiting out its delay";
  EXPECT_EQ(broker_->stats(work_)->delayed, 1);
  auto back = receive(work_, Millis(3000));
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].receive_count, 2);
  ASSERT_TRUE(broker_->delete_message(work_, back[0].receipt));
}

TEST_F(RabbitContract, RedrivePolicyMovesToTheDeadLetterQueueAndBack) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("poison")));
  for (int i = 1; i <= 3; ++i) {
    auto got = receive(work_);
    ASSERT_EQ(got.size(), 1u) << "receive " << i;
    EXPECT_EQ(got[0].receive_count, i);
    ASSERT_TRUE(broker_->change_visibility(work_, got[0].receipt, Millis(50)));
  }
  EXPECT_TRUE(receive(work_, Millis(1000)).empty()) << "the 4th receive dead-letters it";
  std::vector<ports::ReceivedMessage> dead;
  for (int i = 0; i < 20 && dead.empty(); ++i) {
    dead = *broker_->peek(dlq_, 10);
    if (dead.empty()) std::this_thread::sleep_for(Millis(100));
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "poison");
  EXPECT_EQ(dead[0].source_queue, work_);
  EXPECT_EQ(*broker_->redrive(dlq_, 100), 1);
  auto back = receive(work_);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].body, "poison");
  EXPECT_EQ(back[0].receive_count, 1) << "redrive starts the count again";
  ASSERT_TRUE(broker_->delete_message(work_, back[0].receipt));
}

// Roles restarted with another --max-receive-count meet queues RabbitMQ will not change: they
// start anyway, and the new limit is the one messages follow.
TEST_F(RabbitContract, RedeclaringWithAnotherReceiveLimitKeepsTheQueueAndAppliesTheNewLimit) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("kept")));
  auto settings = rabbitmq::Settings::from_url(RabbitMqServer::url());
  rabbitmq::RabbitBroker restarted(*settings);
  ports::Topology topology;
  topology.queues.push_back({dlq_, Millis(300), std::chrono::hours(24), "", 0});
  topology.queues.push_back({work_, Millis(300), std::chrono::hours(1), dlq_, 5});
  ASSERT_TRUE(restarted.declare(topology));
  ASSERT_TRUE(restarted.declare(topology)) << "and again";
  for (int i = 1; i <= 5; ++i) {
    auto got = testing::receive_or_fail(restarted, work_, Millis(2000), 10);
    ASSERT_EQ(got.size(), 1u) << "receive " << i << " of 5: the message survived the redeclare";
    EXPECT_EQ(got[0].body, "kept");
    ASSERT_TRUE(restarted.change_visibility(work_, got[0].receipt, Millis(50)));
  }
  EXPECT_TRUE(testing::receive_or_fail(restarted, work_, Millis(1000), 10).empty())
      << "the 6th receive dead-letters it";
  std::vector<ports::ReceivedMessage> dead;
  for (int i = 0; i < 20 && dead.empty(); ++i) {
    dead = *restarted.peek(dlq_, 10);
    if (dead.empty()) std::this_thread::sleep_for(Millis(100));
  }
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_TRUE(restarted.purge(dlq_));
}

TEST_F(RabbitContract, NativeDeliveryLimitCatchesCrashedConsumers) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("crashy")));
  for (int i = 0; i < 3; ++i) {
    // A consumer that dies with the message: its connection closes, RabbitMQ redelivers.
    rabbitmq::RabbitBroker doomed(*rabbitmq::Settings::from_url(RabbitMqServer::url()));
    std::thread([&] {
      ports::ReceiveOptions options;
      options.wait = Millis(2000);
      auto got = doomed.receive(work_, options, {});
      ASSERT_TRUE(got && got->size() == 1u);
    }).join();  // the thread's connections close with it
  }
  std::vector<ports::ReceivedMessage> dead;
  for (int i = 0; i < 30 && dead.empty(); ++i) {
    dead = *broker_->peek(dlq_, 10);
    if (dead.empty()) std::this_thread::sleep_for(Millis(100));
  }
  ASSERT_EQ(dead.size(), 1u) << "after 3 deliveries RabbitMQ dead-letters it";
  EXPECT_EQ(dead[0].source_queue, work_);
}

TEST_F(RabbitContract, DelayedSendAndPurge) {
  auto m = testing::typed_message("delayed");
  m.delay = Millis(300);
  ASSERT_TRUE(broker_->send(audit_, m));
  EXPECT_TRUE(receive(audit_, Millis(100)).empty());
  auto got = receive(audit_, Millis(3000));
  ASSERT_EQ(got.size(), 1u);
  ASSERT_TRUE(broker_->delete_message(audit_, got[0].receipt));
  // Purge removes what waits in the queue (a consumer's unsettled messages are its own).
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(broker_->send(dlq_, testing::typed_message("m")));
  EXPECT_EQ(*broker_->purge(dlq_), 4);
  EXPECT_EQ(broker_->stats(dlq_)->visible, 0);
}

TEST_F(RabbitContract, LongPollWakesOnSendAndStopsOnRequest) {
  std::thread sender([&] {
    std::this_thread::sleep_for(Millis(200));
    rabbitmq::RabbitBroker other(*rabbitmq::Settings::from_url(RabbitMqServer::url()));
    ASSERT_TRUE(other.send(audit_, testing::typed_message("wake up")));
  });
  const auto started = std::chrono::steady_clock::now();
  auto got = receive(audit_, Millis(5000));
  sender.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, Millis(4000));
  ASSERT_TRUE(broker_->delete_message(audit_, got[0].receipt));

  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(Millis(200));
    stop.request_stop();
  });
  ports::ReceiveOptions options;
  options.wait = Millis(10'000);
  const auto t0 = std::chrono::steady_clock::now();
  auto none = broker_->receive(audit_, options, stop.get_token());
  stopper.join();
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, Millis(5000));
}

TEST_F(RabbitContract, UnknownQueueIsNotFound) {
  EXPECT_EQ(
      broker_->send("no-such-queue-" + random_hex(4), testing::typed_message("m")).error().code,
      ErrorCode::not_found);
  EXPECT_EQ(broker_->stats("no-such-queue-" + random_hex(4)).error().code, ErrorCode::not_found);
  EXPECT_TRUE(broker_->send(work_, testing::typed_message("still works after a channel error")));
}

TEST(RabbitSettings, ParsesUrls) {
  auto s = rabbitmq::Settings::from_url("amqp://donut:pw@mq.internal:5673/shop");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user, "donut");
  EXPECT_EQ(s->password, "pw");
  ASSERT_EQ(s->nodes.size(), 1u);
  EXPECT_EQ(s->nodes[0].host, "mq.internal");
  EXPECT_EQ(s->nodes[0].port, 5673);
  EXPECT_EQ(s->vhost, "shop");
  EXPECT_FALSE(rabbitmq::Settings::from_url("http://x/"));

  auto cluster = rabbitmq::Settings::from_url("amqp://u:p%40ss@h1:5672,h2:5673,h3/v%2Fx");
  ASSERT_TRUE(cluster);
  EXPECT_EQ(cluster->user, "u");
  EXPECT_EQ(cluster->password, "p@ss");
  EXPECT_EQ(cluster->vhost, "v/x");
  ASSERT_EQ(cluster->nodes.size(), 3u);
  EXPECT_EQ(cluster->nodes[1].host, "h2");
  EXPECT_EQ(cluster->nodes[1].port, 5673);
  EXPECT_EQ(cluster->nodes[2].port, 5672) << "the default port";
  EXPECT_EQ(cluster->describe_nodes(), "h1:5672,h2:5673,h3:5672");
  EXPECT_FALSE(rabbitmq::Settings::from_url("amqp://u:p@h1:5672,,h3/v")) << "an empty node";
}

}  // namespace
}  // namespace donut
