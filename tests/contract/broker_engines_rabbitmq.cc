// The broker contract on RabbitMQ, against a real server this binary starts and stops, and what
// only RabbitMQ does. Time is real here (RabbitMQ keeps its own), so the visibility timeout is
// short. Where AMQP differs from SQS the adapter's documented behaviour is what is checked
// (rabbitmq_broker.h): no in-flight count over AMQP, no retention period.
#include <thread>

#include "adapters/clock/clocks.h"
#include "adapters/rabbitmq/rabbitmq_broker.h"
#include "contract/broker_contract.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::RabbitMqServer;

const bool kServer = testing::use_server<testing::RabbitMqServer>();

// RabbitMQ keeps its own time, so the contract runs in real time: on the system clock, not the
// fixture's hand-moved one.
const clock::SystemClock kSystemClock;

std::unique_ptr<rabbitmq::RabbitBroker> open_broker(const ports::Clock& clock = kSystemClock) {
  auto settings = rabbitmq::Settings::from_url(RabbitMqServer::url());
  if (!settings) throw ErrorException(settings.error());
  return std::make_unique<rabbitmq::RabbitBroker>(*settings, clock);
}

BrokerEngine rabbitmq_engine() {
  BrokerEngine engine;
  engine.name = "rabbitmq";
  engine.make = [](const ports::Clock&, testing::TempDir&) -> std::unique_ptr<ports::Broker> {
    return open_broker();
  };
  engine.visibility = Millis(400);
  engine.real_time = true;
  engine.quiet_wait = Millis(150);
  engine.no_in_flight_count = "AMQP does not report unacknowledged messages";
  engine.no_short_retention = "the adapter sets no message TTL: messages wait until consumed";
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, BrokerContract, ::testing::Values(rabbitmq_engine()),
                         [](const auto& info) { return info.param.name; });

// The same queues, for what only this engine does.
class RabbitBrokerOnly : public BrokerContract {};
INSTANTIATE_TEST_SUITE_P(Engines, RabbitBrokerOnly, ::testing::Values(rabbitmq_engine()),
                         [](const auto& info) { return info.param.name; });

// Roles restarted with another --max-receive-count meet queues RabbitMQ will not change: they
// start anyway, and the new limit is the one messages follow.
TEST_P(RabbitBrokerOnly, RedeclaringWithAnotherReceiveLimitKeepsTheQueueAndAppliesTheNewLimit) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("kept")));
  auto restarted_broker = open_broker();
  rabbitmq::RabbitBroker& restarted = *restarted_broker;
  ports::Topology topology;
  topology.queues.push_back({dlq_, visibility(), std::chrono::hours(24), "", 0});
  topology.queues.push_back({work_, visibility(), std::chrono::hours(1), dlq_, 5});
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

TEST_P(RabbitBrokerOnly, NativeDeliveryLimitCatchesCrashedConsumers) {
  ASSERT_TRUE(broker_->send(work_, testing::typed_message("crashy")));
  for (int i = 0; i < 3; ++i) {
    // A consumer that dies with the message: its connection closes, RabbitMQ redelivers.
    auto doomed = open_broker();
    std::thread([&] {
      ports::ReceiveOptions options;
      options.wait = Millis(2000);
      auto got = doomed->receive(work_, options, {});
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

// Time comes from the Clock port: the sent time of a message, and how long a consumer has held
// one. On a clock that does not move, a message left unsettled stays with its consumer however
// long it really waits; once the clock passes the visibility timeout, it comes back.
TEST_P(RabbitBrokerOnly, TakesItsTimeFromTheClockPort) {
  clock::ManualClock manual;
  auto broker = open_broker(manual);
  ports::Topology topology;  // the fixture's queues, as this broker must know them
  topology.queues.push_back({dlq_, visibility(), std::chrono::hours(24), "", 0});
  topology.queues.push_back({work_, visibility(), retention(), dlq_, 3});
  ASSERT_TRUE(broker->declare(topology));
  ASSERT_TRUE(broker->send(work_, testing::typed_message("timed")));
  auto first = testing::receive_or_fail(*broker, work_, Millis(2000), 10);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].sent_at, manual.now()) << "sent_at is the clock's";
  std::this_thread::sleep_for(visibility() * 2);
  EXPECT_TRUE(testing::receive_or_fail(*broker, work_, GetParam().quiet_wait, 10).empty())
      << "real time passed the visibility timeout, the broker's clock did not";
  manual.advance(visibility());
  auto again = testing::receive_or_fail(*broker, work_, Millis(2000), 10);
  ASSERT_EQ(again.size(), 1u) << "the clock passed the visibility timeout: the message is back";
  EXPECT_EQ(again[0].message_id, first[0].message_id);
  EXPECT_EQ(again[0].receive_count, 2);
  ASSERT_TRUE(broker->delete_message(work_, again[0].receipt));
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
