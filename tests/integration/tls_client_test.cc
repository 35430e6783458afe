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

namespace donut {
namespace {

class TlsClient : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string d = dir_.path().string();
    const std::string script =
        "cd " + d +
        " && "
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=donut-test-ca -keyout ca.key -out ca.pem && "
        "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
        "-subj /CN=localhost -keyout server.key -out server.csr && "
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.cnf && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.cnf -out server.pem";
    ASSERT_EQ(std::system((script + " > openssl.log 2>&1").c_str()), 0) << "see " << d;
    port_ = testing::free_port();
    const std::string server = "/usr/bin/openssl s_server -accept " + std::to_string(port_) +
                               " -cert " + d + "/server.pem -key " + d + "/server.key -www" +
                               " > " + d + "/server.log 2>&1 < /dev/null & echo $! > " + d +
                               "/server.pid";
    ASSERT_EQ(std::system(server.c_str()), 0);
    ASSERT_TRUE(testing::eventually([&] { return connects(port_); }, std::chrono::seconds(10)))
        << "openssl s_server did not start; see " << d << "/server.log";
  }
  void TearDown() override {
    std::system(("kill $(cat " + dir_.file("server.pid") + ") 2>/dev/null").c_str());
  }

  static bool connects(unsigned port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
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
