// The broker contract on Amazon SNS + SQS, run against the fauxqs emulator (npm) that this
// binary starts on 127.0.0.1 and stops, and what only this engine does. SQS keeps its own clock
// in whole seconds (a one-second timeout may end anywhere within the second), so the visibility
// timeout is two seconds and time passes by waiting.
#include "adapters/aws/aws_broker.h"
#include "common/ids.h"
#include "contract/broker_contract.h"
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

clock::SystemClock signing_clock;

std::shared_ptr<const aws::AwsCaller> emulator_caller() {
  static const auto caller = std::make_shared<aws::AwsCaller>(emulator_config(), signing_clock);
  return caller;
}

BrokerEngine sns_sqs_engine() {
  BrokerEngine engine;
  engine.name = "sns_sqs";
  engine.make = [](const ports::Clock&, testing::TempDir&) -> std::unique_ptr<ports::Broker> {
    return std::make_unique<aws::AwsBroker>(emulator_caller(), aws::AwsBrokerSettings{});
  };
  engine.visibility = Millis(2000);
  engine.real_time = true;
  engine.no_short_retention = "SQS keeps a message for 60 seconds at least";
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, BrokerContract, ::testing::Values(sns_sqs_engine()),
                         [](const auto& info) { return info.param.name; });

TEST(AwsBroker, TerraformManagedModeOnlyLooksUp) {
  // Functions on a Terraform deployment may not create anything: declare resolves the URLs.
  aws::AwsBrokerSettings settings;
  settings.name_prefix = "m" + random_hex(4) + "-";
  settings.manage_resources = false;
  aws::AwsBroker managed(emulator_caller(), settings);
  ports::Topology topology;
  topology.queues.push_back({"lonely", Millis(1000), std::chrono::hours(1), "", 0});
  EXPECT_EQ(managed.declare(topology).error().code, ErrorCode::not_found);
  EXPECT_EQ(managed.publish("events", testing::typed_message("m")).error().code,
            ErrorCode::not_found)
      << "topics come from the configuration, never created";
}

TEST(AwsBroker, AWorkQueueIsNotPeekedSinceALookIsACountedReceive) {
  // Every SQS receive counts toward maxReceiveCount: five looks from the console would move a
  // work queue's messages to its dead-letter queue unprocessed. Only dead-letter queues are
  // looked at; a work queue's look is refused and counts nothing.
  aws::AwsBrokerSettings settings;
  settings.name_prefix = "p" + random_hex(4) + "-";
  aws::AwsBroker broker(emulator_caller(), settings);
  ports::Topology topology;
  topology.queues.push_back({"work-dlq", Millis(2000), std::chrono::hours(1), "", 0});
  topology.queues.push_back({"work", Millis(2000), std::chrono::hours(1), "work-dlq", 2});
  ASSERT_TRUE(broker.declare(topology));
  ASSERT_TRUE(broker.send("work", testing::typed_message("m")));
  for (int look = 0; look < 3; ++look) {
    auto peeked = broker.peek("work", 10);
    ASSERT_FALSE(peeked) << "look " << look << " received the work queue's messages";
    EXPECT_EQ(peeked.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(peeked.error().message.find("work-dlq"), std::string::npos) << peeked.error().message;
  }
  auto received =
      broker.receive("work", ports::ReceiveOptions{10, std::chrono::seconds(1), {}}, {});
  ASSERT_TRUE(received);
  ASSERT_EQ(received->size(), 1u) << "still in the work queue";
  EXPECT_EQ(received->front().receive_count, 1) << "the looks counted no receive";
  EXPECT_TRUE(broker.peek("work-dlq", 10)) << "a dead-letter queue may be looked at";
}

}  // namespace
}  // namespace donut
