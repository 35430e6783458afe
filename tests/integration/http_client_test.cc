// The outbound HTTP client (adapters/http/http_client.h) against peers on 127.0.0.1: one kept
// connection per origin (the Lambda host alternates between the Runtime API and AWS), a kept
// connection the server closed replaced once, and a call that gets no answer ending as `timeout`
// at its deadline or as `unavailable` on a stop request. Other schemes and redirects are
// outbound_http_test.cc's, TLS verification tls_client_test.cc's.
#include "adapters/http/http_client.h"

#include <atomic>
#include <mutex>
#include <stop_token>
#include <thread>

#include <gtest/gtest.h>

#include "http/router.h"
#include "http/server.h"
#include "support/raw_http.h"

namespace donut {
namespace {

// Answers every GET on every connection it accepted with 200 "ok", keeping each open, and
// counts the connections (what a client's keep-alive is measured by) and keeps what it read.
// Given `script`, the first requests it reads get those bytes instead, one string each; one
// ending in kThenClose is followed by the end of its connection.
constexpr std::string_view kThenClose = "<then close>";
class KeepAlivePeer {
 public:
  explicit KeepAlivePeer(std::vector<std::string> script = {})
      : script_(std::move(script)), thread_([this](std::stop_token stop) { serve(stop); }) {}
  uint16_t port() const { return listener_.port(); }
  int connections() const { return connections_.load(); }
  std::string received() {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/"; }

 private:
  void serve(const std::stop_token& stop) {
    std::vector<std::pair<int, std::string>> open;  // descriptor, what it sent so far
    while (!stop.stop_requested()) {
      if (const int fd = listener_.accept_one(std::chrono::milliseconds(5)); fd >= 0) {
        ++connections_;
        open.emplace_back(fd, "");
      }
      for (auto& [fd, pending] : open) answer_waiting(fd, pending, *this);
    }
    for (auto& connection : open) ::close(connection.first);
  }
  static void answer_waiting(int fd, std::string& pending, KeepAlivePeer& peer) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return;
    char buffer[4096];
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    pending.append(buffer, static_cast<std::size_t>(n));
    {
      std::lock_guard lock(peer.mutex_);
      peer.received_.append(buffer, static_cast<std::size_t>(n));
    }
    for (auto end = pending.find("\r\n\r\n"); end != std::string::npos;
         end = pending.find("\r\n\r\n")) {
      pending.erase(0, end + 4);
      std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
      if (peer.answered_ < peer.script_.size()) answer = peer.script_[peer.answered_];
      ++peer.answered_;
      const bool then_close = answer.ends_with(kThenClose);
      if (then_close) answer.resize(answer.size() - kThenClose.size());
      (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      // Shut down, not closed: the descriptor stays this connection's, never a new one's.
      if (then_close) ::shutdown(fd, SHUT_RDWR);
    }
  }

  testing::RawListener listener_;
  std::vector<std::string> script_;
  std::size_t answered_ = 0;  // the serving thread's only
  std::atomic<int> connections_{0};
  std::mutex mutex_;
  std::string received_;
  std::jthread thread_;
};

TEST(HttpClientKeepAlive, EachOriginKeepsItsConnectionWhileTheThreadAlternates) {
  KeepAlivePeer runtime_api, service;
  for (int round = 0; round < 5; ++round) {
    for (auto* peer : {&runtime_api, &service}) {
      auto answer = http_client::get(peer->url(), std::chrono::seconds(5));
      ASSERT_TRUE(answer) << answer.error().message;
      EXPECT_EQ(answer->body, "ok");
    }
  }
  EXPECT_EQ(runtime_api.connections(), 1);
  EXPECT_EQ(service.connections(), 1);
}

// AWS signs the Host header its caller gives: it must reach the server once, as given.
TEST(HttpClientHeaders, TheCallersHostReplacesTheUrlsNeverDoublesIt) {
  KeepAlivePeer peer;
  http_client::Request request;
  request.url = peer.url();
  request.headers = {{"Host", "sqs.us-east-1.amazonaws.com"}, {"X-Amz-Date", "20261207T000000Z"}};
  auto answer = http_client::perform(request);
  ASSERT_TRUE(answer) << answer.error().message;
  const auto received = peer.received();
  EXPECT_NE(received.find("Host: sqs.us-east-1.amazonaws.com\r\n"), std::string::npos) << received;
  EXPECT_EQ(received.find("Host:"), received.rfind("Host:")) << received;
  EXPECT_NE(received.find("X-Amz-Date: 20261207T000000Z\r\n"), std::string::npos) << received;
}

TEST(HttpClientKeepAlive, ConnectionsAreTheirThreadsOwn) {
  KeepAlivePeer peer;
  ASSERT_TRUE(http_client::get(peer.url(), std::chrono::seconds(5)));
  std::thread other([&] { ASSERT_TRUE(http_client::get(peer.url(), std::chrono::seconds(5))); });
  other.join();
  ASSERT_TRUE(http_client::get(peer.url(), std::chrono::seconds(5)));
  EXPECT_EQ(peer.connections(), 2);
}

class HttpClient : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add("GET", "/hello", "hello", [this](http::Request&&, http::Respond respond) {
      ++hellos_;
      respond(http::json_response(200, R"({"hello":true})"));
    });
    router_.add("GET", "/silent", "silent", [this](http::Request&&, http::Respond respond) {
      std::lock_guard lock(mutex_);
      unanswered_.push_back(std::move(respond));  // answered only when the test ends
    });
    http::Server::Options options;
    options.port = 0;
    options.read_timeout = std::chrono::milliseconds(200);  // an idle connection closes soon
    server_ = std::make_unique<http::Server>(options, router_.handler());
    ASSERT_TRUE(server_->start());
  }

  void TearDown() override {
    std::lock_guard lock(mutex_);
    for (auto& respond : unanswered_) respond(http::json_response(200, "{}"));
  }

  http_client::Request get(const std::string& path) {
    http_client::Request request;
    request.url = server_->base_url() + path;
    return request;
  }

  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::atomic<int> hellos_{0};
  std::mutex mutex_;
  std::vector<http::Respond> unanswered_;
};

TEST_F(HttpClient, AKeptConnectionTheServerClosedIsReplacedOnce) {
  auto first = http_client::perform(get("/hello"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, R"({"hello":true})");
  // The server closes the idle connection after 200 ms; the client still holds it.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto second = http_client::perform(get("/hello"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(hellos_.load(), 2) << "each request reached the server once";
}

TEST_F(HttpClient, NoAnswerEndsAsTimeoutAtTheDeadline) {
  auto request = get("/silent");
  request.timeout = std::chrono::milliseconds(300);
  auto answer = http_client::perform(request);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::timeout) << answer.error().message;
}

TEST_F(HttpClient, AStopRequestAbandonsTheCallLongBeforeItsTimeout) {
  std::stop_source stop;
  auto request = get("/silent");
  request.timeout = std::chrono::seconds(60);
  request.stop = stop.get_token();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop.request_stop();
  });
  auto answer = http_client::perform(request);
  stopper.join();
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable);
  EXPECT_NE(answer.error().message.find("stopped"), std::string::npos) << answer.error().message;
}

TEST(HttpClientConnect, APortNobodyListensOnIsUnavailable) {
  std::uint16_t port = 0;
  {
    testing::RawListener closed_soon;
    port = closed_soon.port();
  }
  auto answer =
      http_client::get("http://127.0.0.1:" + std::to_string(port) + "/", std::chrono::seconds(5));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable) << answer.error().message;
}

// 103 Early Hints (or 100 Continue) before the answer: the caller gets the final answer, and
// nothing of it is left for the next request on the kept connection.
TEST(HttpClientInterim, AnInterimAnswerIsReadPastToTheFinalOne) {
  KeepAlivePeer peer(
      {"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
       "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond"});
  auto first = http_client::get(peer.url(), std::chrono::seconds(5));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "ok");
  auto second = http_client::get(peer.url(), std::chrono::seconds(5));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "second");
  EXPECT_EQ(peer.connections(), 1);
}

// A kept connection that ends after an interim answer got the request: sending it again could
// do its work twice, so the call fails rather than retrying.
TEST(HttpClientInterim, AConnectionEndingAfterAnInterimAnswerIsNotRetried) {
  KeepAlivePeer peer({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                      "HTTP/1.1 100 Continue\r\n\r\n" + std::string(kThenClose)});
  ASSERT_TRUE(http_client::get(peer.url(), std::chrono::seconds(5)));
  auto second = http_client::get(peer.url(), std::chrono::seconds(5));
  ASSERT_FALSE(second) << second->status;
  EXPECT_EQ(second.error().code, ErrorCode::unavailable) << second.error().message;
  EXPECT_EQ(peer.connections(), 1);
}

TEST(HttpClientInterim, InterimAnswersWithoutEndAreAnError) {
  std::string endless;
  for (int i = 0; i < 20; ++i) endless += "HTTP/1.1 100 Continue\r\n\r\n";
  KeepAlivePeer peer({endless});
  auto answer = http_client::get(peer.url(), std::chrono::seconds(5));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable) << answer.error().message;
  EXPECT_NE(answer.error().message.find("interim"), std::string::npos) << answer.error().message;
}

// A body beyond the limit ends the call at once, not at its timeout, and its connection is not
// kept (the next request is answered on a new one).
TEST(HttpClientBodyLimit, AContentLengthAboveTheLimitIsRefused) {
  KeepAlivePeer peer({"HTTP/1.1 200 OK\r\nContent-Length: " +
                      std::to_string(http_client::kDefaultMaxBody + 1) + "\r\n\r\nok"});
  const auto started = std::chrono::steady_clock::now();
  auto answer = http_client::get(peer.url(), std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable) << answer.error().message;
  EXPECT_NE(answer.error().message.find(std::to_string(http_client::kDefaultMaxBody)),
            std::string::npos)
      << answer.error().message;
  ASSERT_TRUE(http_client::get(peer.url(), std::chrono::seconds(5)));
  EXPECT_EQ(peer.connections(), 2);
}

TEST(HttpClientBodyLimit, AHugeChunkIsRefused) {
  KeepAlivePeer peer(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nxxxx"});
  const auto started = std::chrono::steady_clock::now();
  auto answer = http_client::get(peer.url(), std::chrono::seconds(5));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable) << answer.error().message;
  EXPECT_NE(answer.error().message.find("limit"), std::string::npos) << answer.error().message;
}

TEST(HttpClientBodyLimit, SmallChunksAddingUpBeyondTheCallersLimitAreRefused) {
  std::string chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 10; ++i) chunks += "10\r\n0123456789abcdef\r\n";
  chunks += "0\r\n\r\n";
  KeepAlivePeer peer({chunks});
  http_client::Request request;
  request.url = peer.url();
  request.max_body = 100;
  auto answer = http_client::perform(request);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::unavailable) << answer.error().message;
  EXPECT_NE(answer.error().message.find("100 bytes"), std::string::npos) << answer.error().message;
}

// A CR or LF in a caller's header value or method would add headers (or a request) of its own.
TEST(HttpClientHeaders, CrLfInAHeaderOrTheMethodIsRefusedBeforeSending) {
  KeepAlivePeer peer;
  const std::vector<std::pair<std::string, std::string>> bad_headers[] = {
      {{"X-A", "v\r\nX-Injected: 1"}},
      {{"X-A", "v\nX-Injected: 1"}},
      {{"X-A", std::string("v\0X-Injected", 12)}},
      {{"X-Injected: 1\r\nX-A", "v"}},
      {{"X A", "v"}},
      {{"", "v"}}};
  for (const auto& headers : bad_headers) {
    http_client::Request request;
    request.url = peer.url();
    request.headers = headers;
    auto answer = http_client::perform(request);
    ASSERT_FALSE(answer) << headers[0].first;
    EXPECT_EQ(answer.error().code, ErrorCode::invalid_argument) << answer.error().message;
  }
  for (const std::string method : {"GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET", "GET /", ""}) {
    http_client::Request request;
    request.method = method;
    request.url = peer.url();
    auto answer = http_client::perform(request);
    ASSERT_FALSE(answer) << method;
    EXPECT_EQ(answer.error().code, ErrorCode::invalid_argument) << answer.error().message;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(peer.received().find("X-Injected"), std::string::npos) << peer.received();
  EXPECT_EQ(peer.connections(), 0);
  // Tokens with their symbols, and values with tabs and other bytes, still go.
  http_client::Request fine;
  fine.method = "PROPFIND";
  fine.url = peer.url();
  fine.headers = {{"X-Amz-Target", "AmazonSQS.ReceiveMessage"}, {"X~!#$%&'*+.^_`|", "a\tb:\"c\""}};
  ASSERT_TRUE(http_client::perform(fine));
}

// A kept connection idle longer than the limit is not reused: a NAT may have dropped it.
TEST(HttpClientKeepAlive, AConnectionIdleBeyondTheLimitIsNotReused) {
  KeepAlivePeer peer;
  http_client::Request request;
  request.url = peer.url();
  request.max_idle = std::chrono::milliseconds(100);
  ASSERT_TRUE(http_client::perform(request));
  ASSERT_TRUE(http_client::perform(request));
  EXPECT_EQ(peer.connections(), 1) << "reused within the limit";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(http_client::perform(request));
  EXPECT_EQ(peer.connections(), 2) << "a new connection after the limit";
}

// Credentials in a URL would be repeated by every message naming it; a percent escape in a
// host name could look up another name than the one checked.
TEST(HttpClientUrls, UserInformationAndEscapedHostNamesAreRefused) {
  KeepAlivePeer peer;
  const auto port = std::to_string(peer.port());
  auto with_user = http_client::get("http://user:s3cret@127.0.0.1:" + port + "/");
  ASSERT_FALSE(with_user);
  EXPECT_EQ(with_user.error().code, ErrorCode::invalid_argument) << with_user.error().message;
  EXPECT_EQ(with_user.error().message.find("s3cret"), std::string::npos)
      << with_user.error().message;
  auto malformed = http_client::get("http://user:s3 cret@127.0.0.1:" + port + "/");
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().message.find("s3 cret"), std::string::npos)
      << malformed.error().message;
  auto user_only = http_client::get("http://user@127.0.0.1:" + port + "/");
  ASSERT_FALSE(user_only);
  EXPECT_EQ(user_only.error().code, ErrorCode::invalid_argument) << user_only.error().message;
  auto escaped = http_client::get("http://local%68ost:" + port + "/");
  ASSERT_FALSE(escaped);
  EXPECT_EQ(escaped.error().code, ErrorCode::invalid_argument) << escaped.error().message;
  EXPECT_EQ(peer.connections(), 0);
}

}  // namespace
}  // namespace donut
