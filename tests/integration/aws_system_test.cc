// The seed's story with the AWS adapters: the whole local system, but its topic and queues are
// SNS + SQS on the fauxqs emulator and its e-mail goes through SES v2 to aws-ses-v2-local, both
// started by this binary on 127.0.0.1. Orders until empty -> SNS -> SQS -> restock -> factory
// callback -> SQS -> stock restored; a failing factory -> dead-letter queue -> redrive; and the
// crash harness with the queues on SQS.
#include <cstdlib>

#include <gtest/gtest.h>

#include "common/ids.h"
#include "factory/simulator.h"
#include "integration/crash_harness.h"
#include "support/test_servers.h"
#include "support/test_system.h"

namespace donut {
namespace {

using testing::eventually;
using testing::FauxqsServer;
using testing::post_order;
using testing::SesServer;

const bool kFauxqs = testing::use_server<testing::FauxqsServer>();
const bool kSes = testing::use_server<testing::SesServer>();

class AwsSystem : public ::testing::Test {
 protected:
  void SetUp() override {
    // The standard AWS variables, as Lambda or a developer's shell would set them.
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ENDPOINT_URL_SQS", FauxqsServer::url().c_str(), 1);
    ::setenv("AWS_ENDPOINT_URL_SNS", FauxqsServer::url().c_str(), 1);
    ::setenv("AWS_ENDPOINT_URL_SESV2", SesServer::url().c_str(), 1);
  }

  void start(local::LocalConfig config) {
    config.broker.url = "aws";
    config.broker.aws_prefix = "s" + random_hex(4) + "-";  // each test its own topic and queues
    config.mail.mailer = "ses";
    config.mail.to = "ops-" + config.broker.aws_prefix + "@example.com";
    auto system = local::LocalSystem::start(std::move(config));
    ASSERT_TRUE(system) << system.error().message;
    system_ = std::move(*system);
    url_ = system_->url();
  }
  int64_t stock(const std::string& id) { return system_->store().get_product(id)->stock; }
  int64_t depth(const std::string& queue) {
    auto s = system_->broker().stats(queue);
    return s ? s->visible + s->in_flight + s->delayed : -1;
  }
  // Subjects of the e-mails SES accepted for this test's recipient.
  bool mailed(const std::string& fragment) {
    auto store = http_client::get(SesServer::emulator_url() + "/store");
    if (!store) return false;
    const auto stored = boost::json::parse(store->body);
    for (const auto& e : stored.at("emails").as_array()) {
      const auto& to = e.at("destination").at("to").as_array();
      if (to.empty() || to[0].as_string() != system_->config().mail.to) continue;
      if (std::string_view(e.at("subject").as_string()).find(fragment) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  testing::TempDir dir_;
  std::unique_ptr<local::LocalSystem> system_;
  std::string url_;
};

TEST_F(AwsSystem, SellUntilEmptyThenTheFactoryRestocks) {
  start(testing::fast_config(dir_));
  ASSERT_TRUE(system_->store().upsert_product({"CP-502101", "Chocolate Glazed", 250, 6, 20}));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(post_order(url_, "CP-502101", 2).status, 201);
  auto refused = post_order(url_, "CP-502101", 1);
  ASSERT_EQ(refused.status, 409) << refused.body;
  const auto restock_id = testing::json_string(refused.json, "restock_id");

  ASSERT_TRUE(eventually([&] { return stock("CP-502101") == 20; }, std::chrono::seconds(30)))
      << "stock.empty -> SNS -> SQS -> factory -> callback -> SQS -> warehouse";
  EXPECT_EQ(system_->store().get_restock(restock_id)->state, domain::RestockState::arrived);
  EXPECT_EQ(post_order(url_, "CP-502101", 3).status, 201);
  EXPECT_EQ(system_->factory()->stats().accepted, 1) << "requested once";
  EXPECT_TRUE(eventually([&] {
    return mailed("CP-502101 is out of stock") && mailed("restock of CP-502101 requested") &&
           mailed("20 x CP-502101 arrived");
  })) << "notifications through SES";
  EXPECT_TRUE(eventually([&] { return depth("factory-requests") == 0; }));
  EXPECT_TRUE(eventually([&] { return depth("stock-arrivals") == 0; }));
}

TEST_F(AwsSystem, FailingFactoryDeadLettersAndRedriveRestores) {
  auto config = testing::fast_config(dir_);
  config.max_receive_count = 2;
  start(config);
  ASSERT_TRUE(system_->store().upsert_product({"CP-9", "Maple Bar", 275, 1, 5}));
  system_->factory()->configure({Millis(50), 0.0, true, Millis(0)});  // outage
  ASSERT_EQ(post_order(url_, "CP-9", 1).status, 201);
  ASSERT_TRUE(
      eventually([&] { return depth("factory-requests-dlq") == 1; }, std::chrono::seconds(40)))
      << "SQS's redrive policy after maxReceiveCount failed deliveries";
  EXPECT_EQ(depth("factory-requests"), 0);
  EXPECT_TRUE(
      eventually([&] { return mailed("dead-letter queue factory-requests-dlq is not empty"); }));

  system_->factory()->configure({Millis(50), 0.0, false, Millis(0)});  // the factory recovers
  EXPECT_EQ(*system_->broker().redrive("factory-requests-dlq", 100), 1);
  ASSERT_TRUE(eventually([&] { return stock("CP-9") == 5; }, std::chrono::seconds(30)));
  EXPECT_EQ(system_->factory()->stats().accepted, 1);
}

// The crash harness of crash_test.cc with the topic and queues on SNS + SQS (fauxqs):
// `donut up --broker aws` killed with SIGKILL at random moments (20 by default,
// DONUT_CRASH_POINTS for more). SQS keeps what the killed process had received and gives it
// back after the visibility timeout.
TEST_F(AwsSystem, KillNineAtRandomPointsLosesNothingAndAppliesNothingTwice) {
  testing::CrashRun run;
  run.crash_points = testing::crash_points_from_environment(20);
  const std::string prefix = "c" + random_hex(4) + "-";
  run.engine_args = {"--broker", "aws", "--aws-prefix", prefix};
  testing::use_sqlite_warehouse(run, dir_.file("warehouse.db"));
  const auto explain_warehouse = run.explain_stuck;
  run.explain_stuck = [&, explain_warehouse] {
    std::system((std::string(DONUT_BINARY) + " queues --broker aws --aws-prefix " + prefix +
                 " --data-dir " + dir_.path().string() + " >&2")
                    .c_str());
    explain_warehouse();
  };
  testing::run_crash_rounds(run, dir_);
}

}  // namespace
}  // namespace donut
