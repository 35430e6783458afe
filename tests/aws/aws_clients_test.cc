// The AWS clients call by call: SQS and SNS against the fauxqs emulator, SES v2 against
// aws-ses-v2-local (mail read back at GET /store), both started by this binary on 127.0.0.1.
// What the emulators cannot show (throttling, 5xx, StartMessageMoveTask, Secrets Manager) is
// checked against a scripted AWS endpoint over real HTTP on loopback.
#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/aws/aws_broker.h"
#include "adapters/aws/ses_mailer.h"
#include "adapters/clock/clocks.h"
#include "adapters/http/http_client.h"
#include "common/ids.h"
#include "http/server.h"
#include "support/scripted_aws.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"

namespace donut {
namespace {

namespace json = boost::json;
using testing::FauxqsServer;
using testing::SesServer;

const bool kFauxqs = testing::use_server<testing::FauxqsServer>();
const bool kSes = testing::use_server<testing::SesServer>();

aws::AwsConfig config_for(const std::string& endpoint) {
  aws::AwsConfig config;
  config.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  config.endpoint = endpoint;
  config.backoff_base = Millis(1);
  config.backoff_cap = Millis(5);
  return config;
}

class SqsSnsClients : public ::testing::Test {
 protected:
  clock::SystemClock clock_;
  aws::AwsCaller caller_{config_for(FauxqsServer::url()), clock_};
  aws::SqsClient sqs_{caller_};
  aws::SnsClient sns_{caller_};
  std::string name_ = "c" + random_hex(4);
};

TEST_F(SqsSnsClients, QueueLifecycle) {
  auto url = sqs_.create_queue(name_, {{"VisibilityTimeout", "7"}});
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*sqs_.get_queue_url(name_), *url);
  const std::string names[] = {"QueueArn", "VisibilityTimeout"};
  auto attributes = sqs_.get_queue_attributes(*url, names);
  ASSERT_TRUE(attributes);
  EXPECT_EQ((*attributes)["VisibilityTimeout"], "7");
  EXPECT_TRUE((*attributes)["QueueArn"].ends_with(":" + name_));
  ASSERT_TRUE(sqs_.set_queue_attributes(*url, {{"VisibilityTimeout", "9"}}));
  EXPECT_EQ((*sqs_.get_queue_attributes(*url, names))["VisibilityTimeout"], "9");

  auto missing = sqs_.get_queue_url("missing-" + name_);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("SQS.GetQueueUrl"), std::string::npos)
      << missing.error().message;
}

TEST_F(SqsSnsClients, SendReceiveChangeVisibilityDelete) {
  auto url = *sqs_.create_queue(name_, {});
  auto id = sqs_.send_message(url, "body \"quoted\" ü", {{"type", "stock.empty"}});
  ASSERT_TRUE(id);
  auto got = sqs_.receive_message(url, {10, 1, 30});
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 1u);
  const auto& m = got->front();
  EXPECT_EQ(m.message_id, *id);
  EXPECT_EQ(m.body, "body \"quoted\" ü");
  EXPECT_EQ(m.attributes.at("type"), "stock.empty");
  EXPECT_EQ(m.system_attributes.at("ApproximateReceiveCount"), "1");
  ASSERT_TRUE(sqs_.change_message_visibility(url, m.receipt_handle, 0));
  auto again = *sqs_.receive_message(url, {10, 1, 30});
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(sqs_.delete_message(url, again[0].receipt_handle));
  EXPECT_TRUE(sqs_.receive_message(url, {10, 0, std::nullopt})->empty());
}

TEST_F(SqsSnsClients, DeleteBatchAndPurge) {
  auto url = *sqs_.create_queue(name_, {});
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sqs_.send_message(url, std::to_string(i), {}));
  std::vector<std::string> receipts;
  for (int i = 0; i < 5 && receipts.size() < 3; ++i) {
    for (auto& m : *sqs_.receive_message(url, {10, 1, 30})) receipts.push_back(m.receipt_handle);
  }
  ASSERT_EQ(receipts.size(), 3u);
  auto failures = sqs_.delete_message_batch(url, receipts);
  ASSERT_TRUE(failures) << failures.error().message;
  EXPECT_TRUE(failures->empty());
  const std::string in_flight[] = {"ApproximateNumberOfMessagesNotVisible"};
  EXPECT_EQ((*sqs_.get_queue_attributes(url, in_flight))[in_flight[0]], "0");
  ASSERT_TRUE(sqs_.send_message(url, "left over", {}));
  ASSERT_TRUE(sqs_.purge_queue(url));
  const std::string names[] = {"ApproximateNumberOfMessages"};
  EXPECT_EQ((*sqs_.get_queue_attributes(url, names))["ApproximateNumberOfMessages"], "0");
}

TEST_F(SqsSnsClients, MoveTaskIsReportedMissingOnTheEmulator) {
  auto url = *sqs_.create_queue(name_, {});
  const std::string names[] = {"QueueArn"};
  auto arn = (*sqs_.get_queue_attributes(url, names))["QueueArn"];
  auto task = sqs_.start_message_move_task(arn);
  ASSERT_TRUE(task) << task.error().message;
  EXPECT_FALSE(task->has_value()) << "fauxqs has no StartMessageMoveTask; callers fall back";
}

TEST_F(SqsSnsClients, TopicSubscribePublish) {
  auto topic = sns_.create_topic(name_);
  ASSERT_TRUE(topic) << topic.error().message;
  EXPECT_EQ(*sns_.create_topic(name_), *topic) << "CreateTopic is idempotent";
  auto url = *sqs_.create_queue(name_, {});
  const std::string names[] = {"QueueArn"};
  auto queue_arn = (*sqs_.get_queue_attributes(url, names))["QueueArn"];
  auto subscription = sns_.subscribe(
      *topic, "sqs", queue_arn,
      {{"RawMessageDelivery", "true"}, {"FilterPolicy", R"({"type":["stock.empty"]})"}});
  ASSERT_TRUE(subscription) << subscription.error().message;
  ASSERT_TRUE(sns_.publish(*topic, "skipped", {{"type", "stock.arrived"}}));
  auto id = sns_.publish(*topic, "a & b = <c>", {{"type", "stock.empty"}, {"product", "P1"}});
  ASSERT_TRUE(id);
  EXPECT_FALSE(id->empty());
  auto got = *sqs_.receive_message(url, {10, 2, 30});
  ASSERT_EQ(got.size(), 1u) << "the filter policy dropped the other one";
  EXPECT_EQ(got[0].body, "a & b = <c>");
  EXPECT_EQ(got[0].attributes.at("product"), "P1");

  auto missing = sns_.publish(*topic + "-missing", "m", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found) << missing.error().message;
}

// SES in a new account sends 1 e-mail a second (the gate in front of the emulator holds it to
// that, as SES does, and answers GetAccount with it): a burst of mails is paced to the account's
// rate, and SES throttles none of them.
TEST(SesMailer, ABurstIsPacedToTheAccountsSendRate) {
  clock::SystemClock clock;
  aws::SesMailer mailer(std::make_shared<aws::AwsCaller>(config_for(SesServer::url()), clock));
  const auto refused_before = testing::read_file(SesServer::data_dir + "/gate.out");
  const std::string batch = random_hex(4);
  for (int i = 0; i < 4; ++i) {
    const std::string id = "burst-" + batch + "-" + std::to_string(i);
    auto sent = mailer.send({id, "shop@example.com", {"ops@example.com"}, "Burst " + id, "t"});
    ASSERT_TRUE(sent) << sent.error().message;
  }
  const auto gate_log = testing::read_file(SesServer::data_dir + "/gate.out");
  EXPECT_EQ(gate_log.substr(refused_before.size()).find("(throttled)"), std::string::npos)
      << "SES throttled a send:\n"
      << gate_log;
}

TEST(SesClient, SendsMailThatTheEmulatorStores) {
  clock::SystemClock clock;
  aws::SesMailer mailer(std::make_shared<aws::AwsCaller>(config_for(SesServer::url()), clock));
  const std::string subject = "Out of stock: P-" + random_hex(4);
  ASSERT_TRUE(mailer.send({"n-1",
                           "shop@example.com",
                           {"ops@example.com", "boss@example.com"},
                           subject,
                           "Line one\nLine two ✓"}));
  auto store = http_client::get(SesServer::emulator_url() + "/store");
  ASSERT_TRUE(store);
  auto emails = json::parse(store->body).at("emails").as_array();
  const json::object* found = nullptr;
  for (const auto& e : emails) {
    if (e.at("subject").as_string() == subject) found = &e.as_object();
  }
  ASSERT_NE(found, nullptr) << store->body;
  EXPECT_EQ(found->at("from").as_string(), "shop@example.com");
  EXPECT_EQ(found->at("destination").at("to").as_array().size(), 2u);
  EXPECT_EQ(found->at("body").at("text").as_string(), "Line one\nLine two ✓");

  auto refused = mailer.send({"n-2", "", {"ops@example.com"}, "s", "t"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::invalid_argument) << refused.error().message;
}

class ScriptedEndpoint : public ::testing::Test {
 protected:
  aws::AwsConfig config() {
    auto c = config_for(aws_.url());
    c.credentials.session_token = "session-token";
    c.region = "eu-west-1";
    return c;
  }
  testing::ScriptedAws aws_;
  clock::SystemClock clock_;
};

TEST_F(ScriptedEndpoint, RetriesServerErrorsAndThrottlingWithSignedRequests) {
  aws::AwsCaller caller(config(), clock_);
  aws::SqsClient sqs(caller);
  aws_.reply(503, "");
  aws_.reply(400, R"({"__type":"com.amazonaws.sqs#ThrottlingException","message":"slow down"})");
  aws_.reply(200, R"({"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/1/q"})");
  auto url = sqs.get_queue_url("q");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(*url, "https://sqs.eu-west-1.amazonaws.com/1/q");
  auto requests = aws_.requests();
  ASSERT_EQ(requests.size(), 3u);
  for (const auto& r : requests) {
    EXPECT_EQ(*r.header("x-amz-target"), "AmazonSQS.GetQueueUrl");
    EXPECT_EQ(*r.header("content-type"), "application/x-amz-json-1.0");
    EXPECT_EQ(*r.header("x-amz-security-token"), "session-token");
    EXPECT_TRUE(r.header("authorization")->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
    EXPECT_NE(r.header("authorization")->find("/eu-west-1/sqs/aws4_request"), std::string::npos);
    EXPECT_EQ(json::parse(r.body).at("QueueName").as_string(), "q");
  }
}

TEST_F(ScriptedEndpoint, GivesUpAfterMaxAttemptsAndNeverRetriesClientErrors) {
  aws::AwsCaller caller(config(), clock_);
  aws::SqsClient sqs(caller);
  for (int i = 0; i < 4; ++i) aws_.reply(500, R"({"__type":"InternalError","message":"boom"})");
  auto failed = sqs.purge_queue("https://q");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::unavailable);
  EXPECT_EQ(aws_.requests().size(), 4u);

  aws_.reply(400, R"({"__type":"com.amazonaws.sqs#InvalidParameterValue","message":"bad"})");
  auto invalid = sqs.purge_queue("https://q");
  EXPECT_EQ(invalid.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(invalid.error().message.find("InvalidParameterValue: bad"), std::string::npos);
  EXPECT_EQ(aws_.requests().size(), 5u) << "no retry for a client error";

  aws_.reply(403,
             R"(<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>)"
             R"(<Message>not allowed</Message></Error></ErrorResponse>)",
             {{"Content-Type", "text/xml"}});
  aws::SnsClient sns(caller);
  auto denied = sns.publish("arn:aws:sns:eu-west-1:1:t", "m", {});
  EXPECT_EQ(denied.error().code, ErrorCode::forbidden);
  EXPECT_NE(denied.error().message.find("AuthorizationError: not allowed"), std::string::npos);
}

TEST_F(ScriptedEndpoint, MoveTaskSecretAndBatchFailures) {
  aws::AwsCaller caller(config(), clock_);
  aws::SqsClient sqs(caller);
  aws_.reply(200, R"({"Successful":[{"Id":"0"}],"Failed":[{"Id":"1","SenderFault":true,)"
                  R"("Code":"ReceiptHandleIsInvalid","Message":"bad handle"}]})");
  const std::string receipts[] = {"r0", "r1"};
  auto failures = sqs.delete_message_batch("https://q", receipts);
  ASSERT_TRUE(failures);
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].index, 1u);
  EXPECT_EQ((*failures)[0].code, "ReceiptHandleIsInvalid");
  auto entries = json::parse(aws_.requests().back().body).at("Entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].at("ReceiptHandle").as_string(), "r1");

  aws_.reply(200, R"({"TaskHandle":"task-1"})");
  auto task = sqs.start_message_move_task("arn:aws:sqs:eu-west-1:1:q-dlq");
  ASSERT_TRUE(task);
  EXPECT_EQ(task->value_or(""), "task-1");
  auto request = aws_.requests().back();
  EXPECT_EQ(*request.header("x-amz-target"), "AmazonSQS.StartMessageMoveTask");
  EXPECT_EQ(json::parse(request.body).at("SourceArn").as_string(), "arn:aws:sqs:eu-west-1:1:q-dlq");

  aws_.reply(200, R"({"ARN":"arn:s","SecretString":"{\"username\":\"u\",\"password\":\"p\"}"})");
  auto secret = aws::get_secret_string(caller, "arn:s");
  ASSERT_TRUE(secret);
  EXPECT_EQ(*secret, R"({"username":"u","password":"p"})");
  request = aws_.requests().back();
  EXPECT_EQ(*request.header("x-amz-target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(*request.header("content-type"), "application/x-amz-json-1.1");
  EXPECT_NE(request.header("authorization")->find("/secretsmanager/aws4_request"),
            std::string::npos);

  aws_.reply(400, "{}", {{"x-amzn-ErrorType", "ResourceNotFoundException:http://internal/"}});
  EXPECT_EQ(aws::get_secret_string(caller, "nope").error().code, ErrorCode::not_found);

  aws_.reply(200, R"({"ARN":"arn:s","VersionId":"v2"})");
  ASSERT_TRUE(aws::put_secret_string(caller, "arn:s", R"({"username":"u","password":"p2"})"));
  request = aws_.requests().back();
  EXPECT_EQ(*request.header("x-amz-target"), "secretsmanager.PutSecretValue");
  const auto put = json::parse(request.body);
  EXPECT_EQ(put.at("SecretId").as_string(), "arn:s");
  EXPECT_EQ(put.at("SecretString").as_string(), R"({"username":"u","password":"p2"})");
}

TEST(AwsErrors, ParsesEveryProtocolsErrorShape) {
  EXPECT_EQ(
      aws::parse_aws_error(R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"m"})", {}),
      std::make_pair(std::string("QueueDoesNotExist"), std::string("m")));
  EXPECT_EQ(aws::parse_aws_error("<ErrorResponse><Error><Code>NotFound</Code><Message>x</Message>"
                                 "</Error></ErrorResponse>",
                                 {}),
            std::make_pair(std::string("NotFound"), std::string("x")));
  EXPECT_EQ(aws::parse_aws_error(R"({"message":"no"})",
                                 {{"x-amzn-errortype", "NotFoundException:http://x"}}),
            std::make_pair(std::string("NotFoundException"), std::string("no")));
  EXPECT_EQ(aws::parse_aws_error("garbage", {}).first, "");
  EXPECT_EQ(aws::classify_aws_error("", 502), ErrorCode::unavailable);
  EXPECT_EQ(aws::classify_aws_error("Throttling", 400), ErrorCode::rate_limited);
  for (const char* throttled : {"KMSThrottling", "KmsThrottled", "KMS.ThrottlingException",
                                "OverLimit", "AWS.SimpleQueueService.OverLimit"}) {
    EXPECT_EQ(aws::classify_aws_error(throttled, 400), ErrorCode::rate_limited) << throttled;
  }
  EXPECT_EQ(aws::classify_aws_error("ExpiredToken", 403), ErrorCode::unauthorized);
  EXPECT_EQ(aws::classify_aws_error("AccessDeniedException", 400), ErrorCode::forbidden);
  EXPECT_EQ(aws::classify_aws_error("QueueNameExists", 400), ErrorCode::conflict);
}

TEST(AwsConfig, ReadsTheStandardEnvironment) {
  ::unsetenv("AWS_ACCESS_KEY_ID");
  EXPECT_EQ(aws::AwsConfig::from_environment().error().code, ErrorCode::invalid_argument);
  ::setenv("AWS_ACCESS_KEY_ID", "AKID", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  ::setenv("AWS_SESSION_TOKEN", "token", 1);
  ::setenv("AWS_REGION", "eu-central-1", 1);
  ::setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:4566", 1);
  auto config = aws::AwsConfig::from_environment();
  ASSERT_TRUE(config);
  EXPECT_EQ(config->credentials.session_token, "token");
  EXPECT_EQ(config->region, "eu-central-1");
  EXPECT_EQ(config->endpoint_for(aws::Service::sqs), "http://127.0.0.1:4566");
  EXPECT_EQ(config->endpoint_for(aws::Service::sns), "https://sns.eu-central-1.amazonaws.com");
  EXPECT_EQ(config->endpoint_for(aws::Service::ses), "https://email.eu-central-1.amazonaws.com");
  for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                           "AWS_REGION", "AWS_ENDPOINT_URL_SQS"}) {
    ::unsetenv(name);
  }
}

}  // namespace
}  // namespace donut
