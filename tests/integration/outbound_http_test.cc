// The attacker's tests of every request the shop makes (http_client.h): a URL that
// names another protocol — file://, gopher://, dict:// — is refused before anything is read or
// sent, and a redirect is never followed anywhere.
#include <fstream>

#include <gtest/gtest.h>

#include "adapters/http/http_client.h"
#include "support/raw_http.h"
#include "support/temp_dir.h"

namespace donut::http_client {
namespace {

Result<Response> post_to(const std::string& url) {
  Request r;
  r.method = "POST";
  r.url = url;
  r.body = "MessageAttributeProductCnt=1000000";
  r.timeout = std::chrono::seconds(2);
  return perform(r);
}

TEST(OutboundHttp, AFileUrlReadsNothing) {
  testing::TempDir dir;
  const auto secret = dir.path() / "callback-secret";
  std::ofstream(secret) << "do-not-leak\n";
  auto answer = get("file://" + secret.string(), std::chrono::seconds(2));
  ASSERT_FALSE(answer) << "a file:// URL was read: " << answer->body;
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable);
  EXPECT_NE(answer.error().message.find("Unsupported protocol"), std::string::npos)
      << answer.error().message;
}

TEST(OutboundHttp, OtherProtocolsNeverReachTheWire) {
  for (const std::string scheme : {"gopher", "dict", "telnet", "ftp", "smtp", "ldap"}) {
    testing::RawListener target;
    const std::string url =
        scheme + "://127.0.0.1:" + std::to_string(target.port()) + "/_SET%20stock%201000000";
    auto answer = post_to(url);
    EXPECT_FALSE(answer) << url << " was answered " << answer->status;
    EXPECT_EQ(target.received(std::chrono::milliseconds(300)), "") << url;
  }
}

TEST(OutboundHttp, ARedirectIsNotFollowed) {
  testing::RawListener elsewhere;
  auto redirect_to = [](const std::string& location) {
    return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location +
           "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  };
  for (const std::string& location : std::vector<std::string>{
           "file:///etc/passwd", "gopher://127.0.0.1:" + std::to_string(elsewhere.port()) + "/_x",
           "http://127.0.0.1:" + std::to_string(elsewhere.port()) + "/other"}) {
    testing::ScriptedHttpPeer peer(redirect_to(location));
    auto answer = post_to("http://127.0.0.1:" + std::to_string(peer.port()) + "/callback");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, 307) << "the redirect is the answer";
    EXPECT_EQ(answer->body, "");
    EXPECT_EQ(elsewhere.received(std::chrono::milliseconds(200)), "") << location;
  }
}

}  // namespace
}  // namespace donut::http_client
