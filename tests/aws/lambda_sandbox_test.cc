// Packaged functions in a root laid out like Lambda's provided.al2023 (tools/lambda-sandbox/run:
// only the zip and a static /bin/sh, /var/task read-only, /tmp the only writable place, the CA
// bundle only at /etc/pki/tls/certs/ca-bundle.crt, the exact environment Lambda gives), calling
// AWS over TLS: SNS and SQS (fauxqs) behind a TLS terminator (stunnel) whose certificate comes
// from a private CA. With the CA at the al2023 path the admin function starts and answers;
// without it every AWS call fails and the function reports an init error, which is what a
// function that relied on libcurl's Debian path would do on a real account. Its warehouse is a
// MariaDB server on 127.0.0.1: the functions run on MySQL only.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <signal.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/ids.h"
#include "support/child_process.h"
#include "support/fake_lambda_runtime.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"
#include "support/test_system.h"
#include "support/tls_server.h"

#ifndef DONUT_LAMBDA_DIR
#error "DONUT_LAMBDA_DIR must name the folder of the packaged zips"
#endif
#ifndef DONUT_SANDBOX
#error "DONUT_SANDBOX must name tools/lambda-sandbox/run"
#endif

namespace donut {
namespace {

namespace json = boost::json;
using testing::FauxqsServer;

const bool kFauxqs = testing::use_server<testing::FauxqsServer>();
const bool kMariaDb = testing::use_server<testing::MariaDbServer>();

class LambdaSandbox : public ::testing::Test {
 protected:
  // A private CA, a certificate for 127.0.0.1 from it, and stunnel in front of fauxqs.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string d = dir_->path().string();
    ASSERT_TRUE(testing::make_private_ca(d)) << "see " << d << "/openssl.log";
    tls_port_ = testing::free_port();
    std::ofstream(d + "/stunnel.conf")
        << "foreground = yes\npid =\n[aws]\naccept = 127.0.0.1:" << tls_port_
        << "\nconnect = 127.0.0.1:" << FauxqsServer::port << "\ncert = " << d
        << "/server.pem\nkey = " << d << "/server.key\n";
    stunnel_ =
        new testing::BackgroundServer("stunnel4 " + d + "/stunnel.conf", d, "stunnel", tls_port_);
    ASSERT_TRUE(stunnel_->ready()) << "stunnel did not start; see " << stunnel_->log();
  }
  static void TearDownTestSuite() {
    delete stunnel_;
    delete dir_;
  }

  // Starts `zip` in the sandbox against this test's Runtime API; returns its PID.
  pid_t start(const std::string& zip, bool with_bundle, const std::string& prefix) {
    const std::string endpoint = "https://127.0.0.1:" + std::to_string(tls_port_);
    std::vector<std::string> args{
        DONUT_SANDBOX, std::string(DONUT_LAMBDA_DIR) + "/" + zip,
        with_bundle ? dir_->file("ca.pem") : "-", "AWS_LAMBDA_RUNTIME_API=" + runtime_.host_port(),
        "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
        // Temporary credentials, as Lambda gives them (scripts/test-server's gate knows them).
        "AWS_ACCESS_KEY_ID=ASIAEXAMPLETEMPORARY",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYTEMPORARY",
        "AWS_SESSION_TOKEN=example-session-token", "AWS_LAMBDA_FUNCTION_NAME=donut-admin",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/donut-admin",
        "AWS_LAMBDA_LOG_STREAM_NAME=2026/12/01/[$LATEST]" + random_hex(16),
        "AWS_ENDPOINT_URL_SQS=" + endpoint, "AWS_ENDPOINT_URL_SNS=" + endpoint,
        "DONUT_AWS_MANAGE_RESOURCES=1", "DONUT_AWS_PREFIX=" + prefix,
        "DONUT_DATABASE=" + testing::MariaDbServer::url("sandbox"),
        "DONUT_ADMIN_TOKEN=sandbox-token", "DONUT_LOG_LEVEL=warn"};
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    return pid;
  }
  static void stop(pid_t pid) {
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
  }

  static std::string admin_event(const std::string& path) {
    return json::serialize(json::object{
        {"version", "2.0"},
        {"rawPath", path},
        {"rawQueryString", ""},
        {"headers", {{"authorization", "Bearer sandbox-token"}}},
        {"requestContext", {{"http", {{"method", "GET"}, {"sourceIp", "203.0.113.7"}}}}},
        {"body", ""},
        {"isBase64Encoded", false}});
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::BackgroundServer* stunnel_ = nullptr;
  static inline unsigned tls_port_ = 0;
  testing::FakeLambdaRuntime runtime_;
};

TEST_F(LambdaSandbox, TheAdminZipReachesSqsOverTlsWithTheBundleWhereAl2023KeepsIt) {
  const std::string prefix = "sbx-" + random_hex(4) + "-";
  const auto started = std::chrono::steady_clock::now();
  const pid_t function = start("donut-admin.zip", true, prefix);
  runtime_.push("req-1", admin_event("/admin/queues/factory-requests"));
  const std::string answer = runtime_.wait_for("req-1", std::chrono::seconds(60));
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  stop(function);
  ASSERT_FALSE(answer.empty()) << "no answer; init error: " << runtime_.error("init");
  const auto event = json::parse(answer).as_object();
  EXPECT_EQ(event.at("statusCode").as_int64(), 200) << answer;
  EXPECT_NE(std::string(event.at("body").as_string()).find("factory-requests-dlq"),
            std::string::npos)
      << answer;
  std::printf(
      "admin zip in the sandbox: unpacked, started, queues declared over TLS, first "
      "answer in %.0f ms\n",
      ms);
}

TEST_F(LambdaSandbox, WithoutTheBundleEveryAwsCallFailsAndInitSaysSo) {
  const pid_t function = start("donut-admin.zip", false, "sbx-" + random_hex(4) + "-");
  const std::string error = runtime_.wait_for("init", std::chrono::seconds(60));
  stop(function);
  ASSERT_FALSE(error.empty()) << "the function should fail at init";
  EXPECT_TRUE(error.find("SSL") != std::string::npos ||
              error.find("certificate") != std::string::npos ||
              error.find("CA") != std::string::npos)
      << error;
}

}  // namespace
}  // namespace donut
