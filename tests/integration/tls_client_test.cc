// Outbound HTTPS verifies the peer against the CA bundle the process chose (curl_client.h): a
// TLS server on 127.0.0.1 with a certificate from a private CA (`openssl s_server`) is trusted
// when DONUT_CA_BUNDLE names that CA, and refused otherwise. Each case runs in a child process,
// since the bundle is chosen once per process, as it is on Lambda.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "adapters/http/curl_client.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/test_system.h"
#include "support/tls_server.h"

namespace donut {
namespace {

class TlsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string d = dir_.path().string();
    ASSERT_TRUE(testing::make_private_ca(d)) << "see " << d << "/openssl.log";
    port_ = testing::free_port();
    server_ = std::make_unique<testing::BackgroundServer>(
        "/usr/bin/openssl s_server -accept " + std::to_string(port_) + " -cert " + d +
            "/server.pem -key " + d + "/server.key -www",
        d, "s_server", port_);
    ASSERT_TRUE(server_->ready()) << "openssl s_server did not start; see " << server_->log();
  }

  // GET over HTTPS in a child process with DONUT_CA_BUNDLE set to `bundle` (unset if empty);
  // exits 0 when the answer was 200.
  static void get_and_exit(unsigned port, const std::string& bundle) {
    if (bundle.empty()) {
      ::unsetenv("DONUT_CA_BUNDLE");
    } else {
      ::setenv("DONUT_CA_BUNDLE", bundle.c_str(), 1);
    }
    http_client::Request r;
    r.url = "https://127.0.0.1:" + std::to_string(port) + "/";
    r.timeout = std::chrono::seconds(5);
    auto answer = http_client::perform(r);
    std::exit(answer && answer->status == 200 ? 0 : 1);
  }

  testing::TempDir dir_;
  unsigned port_ = 0;
  std::unique_ptr<testing::BackgroundServer> server_;
};

TEST_F(TlsClient, APrivateCaIsTrustedOnlyWhenItIsTheBundle) {
  GTEST_FLAG_SET(death_test_style, "fast");  // the child is a fork: same server, same CA
  EXPECT_EXIT(get_and_exit(port_, dir_.file("ca.pem")), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(get_and_exit(port_, ""), ::testing::ExitedWithCode(1), "")
      << "the system bundle does not know the private CA";
}

TEST(CaBundle, ConfiguredFirstThenTheUsualPlaces) {
  using http_client::find_ca_bundle;
  EXPECT_EQ(find_ca_bundle("/opt/ca.pem", [](const char*) { return false; }), "/opt/ca.pem");
  EXPECT_EQ(find_ca_bundle(
                nullptr,
                [](const char* p) { return std::string(p) == "/etc/pki/tls/certs/ca-bundle.crt"; }),
            "/etc/pki/tls/certs/ca-bundle.crt")
      << "Amazon Linux 2023 (Lambda provided.al2023) keeps it there";
  EXPECT_EQ(find_ca_bundle("", [](const char*) { return true; }),
            "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(find_ca_bundle(nullptr, [](const char*) { return false; }), "");
}

}  // namespace
}  // namespace donut
