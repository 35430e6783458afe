#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/logging.h"
#include "common/open_files.h"
#include "common/thread_name.h"
#include "http/beast_request.h"
#include "http/rate_limiter.h"

namespace donut::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Descriptors kept out of the connection cap for everything else a process opens: database
// and WAL files, queues, mail files, calls to the factory, and refusals being answered.
constexpr std::size_t kReservedDescriptors = 256;
// Refusals answered at once with a lingering close; beyond this many, the refusal is written
// without waiting for the client and the connection closed straight away.
constexpr std::size_t kLingeringRefusals = 128;
constexpr auto kRefusalLinger = std::chrono::seconds(1);
constexpr auto kAcceptPause = std::chrono::milliseconds(50);

// The answer to a connection over the cap, serialised once: it never depends on the request.
std::string refusal_message(const Server::Options& options) {
  const Response refusal = error_response(
      503, "too_many_connections",
      "the server holds as many connections as it serves at once; retry after Retry-After");
  bhttp::response<bhttp::string_body> message{bhttp::status::service_unavailable, 11};
  message.set(bhttp::field::server, options.server_name);
  message.set(bhttp::field::content_type, refusal.content_type);
  message.set(bhttp::field::retry_after, "1");
  message.body() = refusal.body;
  message.keep_alive(false);
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return out.str();
}

}  // namespace

struct Server::Impl {
  // Declared before `io`: sessions destroyed with the io_context still count themselves out.
  Options options;
  Handler handler;
  std::size_t max_connections;
  std::string refusal;  // the whole HTTP answer over the cap
  // Shared with the sessions: a handler may hold a session (through its Respond) after the
  // server is gone, and the session still counts itself out when it finally goes.
  std::shared_ptr<std::atomic<std::size_t>> connections =
      std::make_shared<std::atomic<std::size_t>>(0);
  std::atomic<std::size_t> refusing{0};   // refusals still lingering
  std::atomic<std::size_t> in_flight{0};  // requests handed to the handler, not yet written
  std::atomic<bool> stopping{false};
  uint16_t bound_port = 0;
  asio::io_context io;
  // The acceptor and its pause share one strand: accepting, pausing and closing never overlap.
  asio::strand<asio::io_context::executor_type> accepting = asio::make_strand(io);
  tcp::acceptor acceptor{accepting};
  asio::steady_timer accept_pause{accepting};
  std::vector<std::thread> threads;

  std::unique_ptr<RateLimiter> limiter;  // null: no rate limit

  Impl(Options o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        max_connections(options.max_connections > 0 ? options.max_connections
                                                    : Server::default_max_connections()),
        refusal(refusal_message(options)) {
    if (options.rate_limit > 0) {
      limiter = std::make_unique<RateLimiter>(
          options.rate_limit, options.rate_burst > 0 ? options.rate_burst : options.rate_limit);
    }
  }
  void accept();
  void on_accept_failed(const beast::error_code& ec);
  void take(tcp::socket socket);
  void take_waiting();
  void refuse(tcp::socket socket);
};

namespace {

// A client's request id is kept when it is 1-64 characters of [A-Za-z0-9._-].
bool is_plain_token(std::string_view text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server), connections_(server.connections) {}
  ~Session() { leave_the_count(); }

  void run() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    remote_ = stream_.socket().remote_endpoint(ec).address().to_string();
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    buffer_.max_size(server_.options.header_limit + server_.options.body_limit + 1024);
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      return send_error_and_close(
          413, "too_large",
          "request body is larger than " + std::to_string(server_.options.body_limit) + " bytes");
    }
    if (ec == bhttp::error::header_limit) {
      return send_error_and_close(431, "headers_too_large", "request headers are too large");
    }
    if (ec)
      return send_error_and_close(400, "bad_request", "malformed HTTP request: " + ec.message());
    handle(parser_->release());
  }

  void handle(bhttp::request<bhttp::string_body>&& raw) {
    keep_alive_ = raw.keep_alive();
    version_ = raw.version();
    auto converted = to_request(std::move(raw), remote_);
    if (!converted) return send_error_and_close(400, "bad_request", converted.error().message);
    Request request = std::move(*converted);
    stream_.expires_never();
    server_.in_flight.fetch_add(1);
    if (server_.limiter && !server_.limiter->allow(remote_)) {
      Response limited = error_response(429, "rate_limited", "too many requests; slow down");
      limited.headers.emplace_back("Retry-After", "1");
      return write(std::move(limited));
    }
    // Every answer names its request, and the handler's log lines carry the same id: the
    // client's X-Request-Id when it is a plain token, else a new one.
    std::string request_id;
    if (const auto* given = request.header("x-request-id");
        given != nullptr && is_plain_token(*given)) {
      request_id = *given;
    } else {
      request_id = random_hex(8);
    }
    LogScope scope{{"request_id", request_id}};
    // The handler may answer from any thread; hop back onto this connection's strand.
    server_.handler(std::move(request), [self = shared_from_this(), request_id](Response response) {
      response.headers.emplace_back("X-Request-Id", request_id);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->write(std::move(response));
      });
    });
  }

  void write(Response response) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), version_);
    message->set(bhttp::field::server, server_.options.server_name);
    message->set(bhttp::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !server_.stopping.load());
    message->prepare_payload();
    // A last answer frees the connection's place before the client can read it: a client that
    // reconnects as soon as it has its answer must not find its old connection still counted.
    if (!message->keep_alive()) leave_the_count();
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                         self->server_.in_flight.fetch_sub(1);
                         if (ec || !message->keep_alive()) return self->close();
                         self->read();
                       });
  }

  void send_error_and_close(int status, std::string_view code, std::string message) {
    keep_alive_ = false;
    server_.in_flight.fetch_add(1);  // balanced by write()
    write(error_response(status, code, message));
  }

  void leave_the_count() {
    if (counted_) connections_->fetch_sub(1);
    counted_ = false;
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = true;
  std::shared_ptr<std::atomic<std::size_t>> connections_;  // the server's count
  bool counted_ = true;                                    // still one of them
  unsigned version_ = 11;
};

// A connection over the cap: the prepared 503 is written without reading the request, the
// sending side shut, and whatever the client still sends is read and dropped until it closes
// or the linger passes. Closing with unread request bytes would make the kernel send a reset,
// which can destroy the answer before the client reads it.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(tcp::socket socket, Server::Impl& server)
      : socket_(std::move(socket)), linger_(socket_.get_executor()), server_(server) {
    server_.refusing.fetch_add(1);
  }
  ~Refusal() { server_.refusing.fetch_sub(1); }

  void run() {
    linger_.expires_after(kRefusalLinger);
    linger_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish();
    });
    asio::async_write(socket_, asio::buffer(server_.refusal),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->finish();
                        self->socket_.shutdown(tcp::socket::shutdown_send, ec);
                        self->drain();
                      });
  }

 private:
  void drain() {
    socket_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->finish();
                              self->drain();
                            });
  }

  void finish() {
    beast::error_code ignored;
    linger_.cancel();
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer linger_;
  Server::Impl& server_;
  std::array<char, 1024> scratch_{};
};

}  // namespace

void Server::Impl::refuse(tcp::socket socket) {
  if (refusing.load() < kLingeringRefusals) {
    return std::make_shared<Refusal>(std::move(socket), *this)->run();
  }
  // Too many refusals lingering already: the answer goes out if the socket takes it now.
  ::send(socket.native_handle(), refusal.data(), refusal.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
}

// Out of descriptors (or kernel memory), accepting again at once would fail again at once and
// spin: pause, and let the listen backlog hold the new connections meanwhile.
void Server::Impl::on_accept_failed(const beast::error_code& ec) {
  spdlog::warn("http: accept failed: {}", ec.message());
  accept_pause.expires_after(kAcceptPause);
  accept_pause.async_wait([this](beast::error_code waited) {
    if (!waited && !stopping) accept();
  });
}

void Server::Impl::take(tcp::socket socket) {
  if (connections->fetch_add(1) >= max_connections) {
    connections->fetch_sub(1);
    return refuse(std::move(socket));
  }
  std::make_shared<Session>(std::move(socket), *this)->run();
}

// A crowd arrives faster than one accept per turn of the loop: take every connection already
// waiting in the listen backlog before waiting again, so the backlog (at most SOMAXCONN) does
// not overflow and make clients resend their SYN a second later. The acceptor is non-blocking:
// an empty backlog ends the loop with would_block.
void Server::Impl::take_waiting() {
  for (int taken = 0; taken < 256 && !stopping; ++taken) {
    beast::error_code ec;
    tcp::socket socket = acceptor.accept(asio::make_strand(io), ec);
    if (ec) return;  // empty backlog, or a failure the next async_accept reports
    take(std::move(socket));
  }
}

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
          ec == asio::error::no_memory || ec == std::errc::too_many_files_open_in_system) {
        return on_accept_failed(ec);
      }
      spdlog::warn("http: accept failed: {}", ec.message());
    } else {
      take(std::move(socket));
      take_waiting();
    }
    if (!stopping) accept();
  });
}

std::size_t Server::default_max_connections() {
  const std::size_t open_files = open_files_limit();
  return open_files > 2 * kReservedDescriptors ? open_files - kReservedDescriptors : open_files / 2;
}

Server::Server(Options options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
  stop();
}

Status Server::start() {
  beast::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    return make_error(ErrorCode::invalid_argument,
                      "bad listen address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) acceptor.non_blocking(true, ec);
  if (ec) {
    return make_error(ErrorCode::unavailable, "cannot listen on " + impl_->options.host + ":" +
                                                  std::to_string(impl_->options.port) + ": " +
                                                  ec.message());
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept();
  for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] {
      name_this_thread("http");
      impl_->io.run();
    });
  }
  return ok();
}

void Server::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  asio::post(impl_->accepting, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->accept_pause.cancel();
  });
  // Give requests being handled a moment to be answered, then stop the loop; idle keep-alive
  // connections are simply closed.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

void Server::post(std::function<void()> work) {
  asio::post(impl_->io, std::move(work));
}

uint16_t Server::port() const {
  return impl_->bound_port;
}

std::size_t Server::max_connections() const {
  return impl_->max_connections;
}

std::string Server::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->bound_port);
}

}  // namespace donut::http
