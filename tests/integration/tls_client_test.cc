// Outbound HTTPS verifies the peer against the CA bundle the process chose (http_client.h): a
// TLS server on 127.0.0.1 with a certificate from a private CA (`openssl s_server`) is trusted
// when DONUT_CA_BUNDLE names that CA, and refused otherwise: by the system bundle, by another
// private CA, and when the certificate does not name the host the URL does (an address or a
// DNS name). Each case runs in a child process, since the bundle is chosen once per process, as
// it is on Lambda.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "adapters/http/http_client.h"
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
  // exits 0 when the answer was 200, else 1 with the error on stderr.
  static void get_and_exit(unsigned port, const std::string& bundle,
                           const std::string& host = "127.0.0.1") {
    if (bundle.empty()) {
      ::unsetenv("DONUT_CA_BUNDLE");
    } else {
      ::setenv("DONUT_CA_BUNDLE", bundle.c_str(), 1);
    }
    http_client::Request r;
    r.url = "https://" + host + ":" + std::to_string(port) + "/";
    r.timeout = std::chrono::seconds(5);
    auto answer = http_client::perform(r);
    if (!answer) std::fprintf(stderr, "%s\n", answer.error().message.c_str());
    std::exit(answer && answer->status == 200 ? 0 : 1);
  }

  testing::TempDir dir_;
  unsigned port_ = 0;
  std::unique_ptr<testing::BackgroundServer> server_;
};

TEST_F(TlsClient, APrivateCaIsTrustedOnlyWhenItIsTheBundle) {
  GTEST_FLAG_SET(death_test_style, "fast");  // the child is a fork: same server, same CA
  EXPECT_EXIT(get_and_exit(port_, dir_.file("ca.pem")), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(get_and_exit(port_, dir_.file("ca.pem"), "localhost"), ::testing::ExitedWithCode(0),
              "")
      << "a DNS name the certificate holds";
  EXPECT_EXIT(get_and_exit(port_, ""), ::testing::ExitedWithCode(1), "certificate verify failed")
      << "the system bundle does not know the private CA";
  testing::TempDir other;
  ASSERT_TRUE(testing::make_private_ca(other.path().string()));
  EXPECT_EXIT(get_and_exit(port_, other.file("ca.pem")), ::testing::ExitedWithCode(1),
              "certificate verify failed")
      << "a CA that did not sign the server's certificate";
}

// A bundle the size of al2023's with the private CA last: read lazily (lazy_ca_bundle.h), the
// CA is still found by the handshake's chain, as a whole-file load would find it.
TEST_F(TlsClient, TheCaLastInABundleOfTheSystemsSizeIsTrusted) {
  GTEST_FLAG_SET(death_test_style, "fast");
  std::ifstream system("/etc/ssl/certs/ca-certificates.crt");  // ca-certificates (install-deps)
  ASSERT_TRUE(system) << "the system's bundle, the large one this test needs";
  std::ifstream ca(dir_.file("ca.pem"));
  std::ofstream(dir_.file("large.pem")) << std::string(std::istreambuf_iterator<char>(system), {})
                                        << std::string(std::istreambuf_iterator<char>(ca), {});
  EXPECT_EXIT(get_and_exit(port_, dir_.file("large.pem")), ::testing::ExitedWithCode(0), "");
}

TEST_F(TlsClient, ATrustedCertificateForAnotherHostIsRefused) {
  GTEST_FLAG_SET(death_test_style, "fast");
  // The server's certificate names 127.0.0.1 and localhost; 127.0.0.2 reaches the same server.
  EXPECT_EXIT(get_and_exit(port_, dir_.file("ca.pem"), "127.0.0.2"), ::testing::ExitedWithCode(1),
              "certificate verify failed")
      << "an address the certificate does not hold";
  // A certificate from the same CA for another DNS name only, reached as localhost.
  const std::string d = dir_.path().string();
  ASSERT_EQ(std::system(("cd " + d +
                         " && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                         "-nodes -subj /CN=elsewhere.example -keyout other.key -out other.csr && "
                         "printf 'subjectAltName=DNS:elsewhere.example\n' > other.cnf && "
                         "openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                         "-days 2 -extfile other.cnf -out other.pem >> openssl.log 2>&1")
                            .c_str()),
            0);
  const unsigned other_port = testing::free_port();
  testing::BackgroundServer elsewhere("/usr/bin/openssl s_server -accept " +
                                          std::to_string(other_port) + " -cert " + d +
                                          "/other.pem -key " + d + "/other.key -www",
                                      d, "s_server-other", other_port);
  ASSERT_TRUE(elsewhere.ready()) << elsewhere.log();
  EXPECT_EXIT(get_and_exit(other_port, dir_.file("ca.pem"), "localhost"),
              ::testing::ExitedWithCode(1), "certificate verify failed")
      << "a DNS name the certificate does not hold";
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
