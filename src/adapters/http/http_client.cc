#include "adapters/http/http_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "adapters/http/lazy_ca_bundle.h"

namespace donut::http_client {
namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kConnectTimeoutCap = std::chrono::seconds(5);
constexpr auto kStopCheck = std::chrono::milliseconds(100);  // how soon a stop request is seen
constexpr std::size_t kKeptPerThread = 4;  // origins a thread keeps a connection to
// Interim answers read past before the final one: a server sends one or two (100 Continue,
// 103 Early Hints); a peer sending them without end would otherwise hold the call to its timeout.
constexpr int kMaxInterim = 8;

struct Origin {
  bool tls = false;
  std::string host;  // as resolved or parsed: an IPv6 literal without its brackets
  std::string port;
  unsigned short port_number = 0;
  bool operator==(const Origin&) const = default;
};

struct Target {
  Origin origin;
  std::string host_header;
  std::string path_and_query;
};

Result<Target> parse_url(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  // Unavailable, as any other call that cannot be made: callers retry or give up alike.
  if (!parsed) {
    // What precedes an '@' may be a password: such a URL is not repeated.
    return make_error(ErrorCode::unavailable, url.find('@') == std::string::npos
                                                  ? "not a URL: '" + url + "'"
                                                  : "not a URL (with an '@', not repeated)");
  }
  // Credentials in a URL would be repeated by every error message and log line naming it.
  if (parsed->has_userinfo()) {
    return make_error(ErrorCode::invalid_argument,
                      "a URL with user information (user:password@) is refused; host " +
                          std::string(parsed->encoded_host_and_port()));
  }
  // A decoded escape could make the name looked up differ from the one checked or signed.
  if (parsed->host_type() == boost::urls::host_type::name &&
      parsed->encoded_host().find('%') != boost::core::string_view::npos) {
    return make_error(ErrorCode::invalid_argument, "a host name with a percent escape: " + url);
  }
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return make_error(ErrorCode::unavailable, "Unsupported protocol '" +
                                                  std::string(parsed->scheme()) +
                                                  "' (only http and https): '" + url + "'");
  }
  Target target;
  target.origin.tls = scheme == boost::urls::scheme::https;
  target.origin.host = std::string(parsed->host_address());
  if (target.origin.host.empty()) return make_error(ErrorCode::unavailable, "no host: " + url);
  target.origin.port_number = parsed->has_port()  ? parsed->port_number()
                              : target.origin.tls ? 443
                                                  : 80;
  if (target.origin.port_number == 0) return make_error(ErrorCode::unavailable, "bad port: " + url);
  target.origin.port = std::to_string(target.origin.port_number);
  target.host_header = std::string(parsed->encoded_host_and_port());
  target.path_and_query =
      parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) target.path_and_query += "?" + std::string(parsed->encoded_query());
  return target;
}

// One context for the process: the CA bundle is read once, not per connection, and its
// certificates decoded only as chains need them (lazy_ca_bundle.h). The bundle lives as long as
// the process, never freed: a handshake still running on another thread while the process
// exits may ask it for an issuer after the statics are gone.
ssl::context& tls_context() {
  static ssl::context context = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(c.native_handle(), TLS1_2_VERSION);
    if (const auto& path = ca_bundle(); !path.empty()) {
      // Unreadable, malformed or empty: no CA at all, so every peer is refused.
      if (auto bundle = LazyCaBundle::read(path)) {
        if (bundle.value()->attach(SSL_CTX_get_cert_store(c.native_handle()))) {
          static const LazyCaBundle* const kept = bundle.value().release();
          (void)kept;
        }
      }
    } else {
      beast::error_code ec;
      c.set_default_verify_paths(ec);
    }
    return c;
  }();
  return context;
}

// A connection to one origin, kept by its thread between requests.
struct Connection {
  Connection(asio::io_context& io, Origin o) : origin(std::move(o)) {
    if (origin.tls) {
      secure.emplace(io, tls_context());
    } else {
      plain.emplace(io);
    }
  }
  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  Origin origin;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  Clock::time_point last_used;  // when its last answer was read, for `ThreadState::take`
};

// What a thread keeps: its event loop and the connections it may reuse. The connections are
// declared after the loop so that they go first when the thread ends.
struct ThreadState {
  asio::io_context io;
  std::vector<std::unique_ptr<Connection>> kept;  // oldest first

  // The origin's kept connection, unless it was idle longer than `max_idle`: then it is closed
  // (a flow a NAT dropped meanwhile would hang the read rather than fail it).
  std::unique_ptr<Connection> take(const Origin& origin, Millis max_idle) {
    auto found =
        std::find_if(kept.begin(), kept.end(), [&](const auto& c) { return c->origin == origin; });
    if (found == kept.end()) return nullptr;
    auto connection = std::move(*found);
    kept.erase(found);
    if (Clock::now() - connection->last_used > max_idle) return nullptr;
    return connection;
  }
  void keep(std::unique_ptr<Connection> connection) {
    connection->last_used = Clock::now();
    if (kept.size() >= kKeptPerThread) kept.erase(kept.begin());
    kept.push_back(std::move(connection));
  }
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

// One request's run on its thread's loop: each step waits for its operation while watching the
// deadline and the stop token; either closes the socket, which ends the operation at once.
struct Exchange {
  asio::io_context& io;
  const std::stop_token& stop;
  Clock::time_point deadline;
  bool expired = false;
  bool stopped = false;
  bool endless_interim = false;  // more than kMaxInterim 1xx answers
  bool got_some = false;         // any byte of an answer, interim ones included

  bool over() {
    if (!expired && !stopped) {
      stopped = stop.stop_requested();
      expired = Clock::now() >= deadline;
    }
    return expired || stopped;
  }

  template <class Start>
  beast::error_code await(Connection& connection, Start start) {
    beast::error_code result;
    bool done = false;
    start([&](beast::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io.restart();
    bool closed = false;
    while (!done) {
      if (!closed && over()) {
        beast::close_socket(connection.tcp());
        closed = true;
      }
      io.run_one_for(kStopCheck);
    }
    return result;
  }
};

// A name is looked up on Asio's resolver thread, which cannot be interrupted: past the deadline
// or on a stop request the lookup is abandoned, its answer landing in state it shares with
// nobody. An address literal (the Runtime API's 127.0.0.1) needs no lookup and no thread.
beast::error_code resolve(Exchange& x, const Origin& origin, tcp::resolver::results_type& out) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(origin.host, ec);
  if (!ec) {
    out = tcp::resolver::results_type::create(tcp::endpoint(address, origin.port_number),
                                              origin.host, origin.port);
    return {};
  }
  struct Lookup {
    bool done = false;
    beast::error_code ec;
    tcp::resolver::results_type endpoints;
  };
  auto lookup = std::make_shared<Lookup>();
  auto resolver = std::make_shared<tcp::resolver>(x.io);
  resolver->async_resolve(origin.host, origin.port,
                          [lookup, resolver](beast::error_code e, tcp::resolver::results_type r) {
                            lookup->ec = e;
                            lookup->endpoints = std::move(r);
                            lookup->done = true;
                          });
  x.io.restart();
  while (!lookup->done) {
    if (x.over()) return asio::error::operation_aborted;
    x.io.run_one_for(kStopCheck);
  }
  out = std::move(lookup->endpoints);
  return lookup->ec;
}

// Verifies the certificate's names against the host (an address against its IP entries) and
// sends SNI for a DNS name; the chain is verified against the context's CAs.
beast::error_code expect_peer(Connection& c) {
  SSL* handle = c.secure->native_handle();
  beast::error_code literal;
  asio::ip::make_address(c.origin.host, literal);
  const bool named = static_cast<bool>(literal);
  if (SSL_set1_host(handle, c.origin.host.c_str()) != 1 ||
      (named && SSL_set_tlsext_host_name(handle, c.origin.host.c_str()) != 1)) {
    return beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
  }
  return {};
}

beast::error_code connect(Exchange& x, Connection& c, Clock::time_point connect_deadline) {
  const auto request_deadline = x.deadline;
  x.deadline = std::min(request_deadline, connect_deadline);
  tcp::resolver::results_type endpoints;
  auto ec = resolve(x, c.origin, endpoints);
  if (!ec && !x.over()) {
    ec = x.await(c, [&](auto done) { c.tcp().async_connect(endpoints, done); });
  }
  if (!ec && !x.over()) {
    beast::error_code ignored;
    c.tcp().socket().set_option(tcp::no_delay(true), ignored);
    if (c.secure) {
      ec = expect_peer(c);
      if (!ec) {
        ec = x.await(c,
                     [&](auto done) { c.secure->async_handshake(ssl::stream_base::client, done); });
      }
    }
  }
  // Past the connect deadline but within the request's: `expired` stays, a timeout all the same.
  x.deadline = request_deadline;
  return ec;
}

bhttp::request<bhttp::string_body> to_beast(const Request& request, const Target& target) {
  bhttp::request<bhttp::string_body> out;
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    out.method_string(request.method);
  } else {
    out.method(verb);
  }
  out.target(target.path_and_query);
  out.version(11);
  // The caller's Host replaces the URL's (AWS signs the one it gives), never a second one.
  out.set(bhttp::field::host, target.host_header);
  for (const auto& [name, value] : request.headers) {
    if (bhttp::string_to_field(name) == bhttp::field::host) {
      out.set(bhttp::field::host, value);
    } else {
      out.insert(name, value);
    }
  }
  out.body() = request.body;
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    out.prepare_payload();
  }
  return out;
}

// Sends the request and reads the final answer into `out`. Beast ends a message after a 1xx
// header block, so each interim answer is read with a parser of its own and dropped; otherwise
// the caller would get the 1xx and the next request on the connection this one's answer.
template <class Stream>
beast::error_code exchange(Exchange& x, Connection& c, Stream& stream,
                           bhttp::request<bhttp::string_body>& request, std::size_t max_body,
                           bhttp::response<bhttp::string_body>& out) {
  auto ec = x.await(c, [&](auto done) { bhttp::async_write(stream, request, done); });
  if (ec) return ec;
  for (int interim = 0;; ++interim) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_body);
    if (request.method() == bhttp::verb::head) parser.skip(true);
    ec = x.await(c, [&](auto done) { bhttp::async_read(stream, c.buffer, parser, done); });
    x.got_some = x.got_some || parser.got_some();
    // A TLS peer that ends an answer delimited by the end of the connection without a
    // close_notify: the answer is complete all the same.
    if (ec == ssl::error::stream_truncated && parser.is_header_done() && parser.need_eof()) {
      parser.put_eof(ec);
    }
    if (ec) return ec;
    const unsigned status = parser.get().result_int();
    if (status < 100 || status > 199 || status == 101) {
      out = parser.release();
      return {};
    }
    if (interim + 1 > kMaxInterim) {
      x.endless_interim = true;
      return bhttp::error::bad_status;
    }
  }
}

Response to_response(bhttp::response<bhttp::string_body>&& message) {
  Response response;
  response.status = static_cast<long>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    response.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

Result<Response> failure(const Request& request, const Exchange& x, const beast::error_code& ec) {
  const std::string what = request.method + " " + request.url;
  if (x.stopped) return make_error(ErrorCode::unavailable, what + ": stopped");
  if (x.expired || ec == beast::error::timeout) {
    return make_error(ErrorCode::timeout,
                      what + ": no answer in " + std::to_string(request.timeout.count()) + " ms");
  }
  if (ec == bhttp::error::body_limit) {
    return make_error(ErrorCode::unavailable, what + ": the answer's body exceeds the limit of " +
                                                  std::to_string(request.max_body) + " bytes");
  }
  if (x.endless_interim) {
    return make_error(ErrorCode::unavailable, what + ": more than " + std::to_string(kMaxInterim) +
                                                  " interim (1xx) answers");
  }
  return make_error(ErrorCode::unavailable, what + ": " + ec.message());
}

// RFC 9110 token: a method or a header name.
bool is_token(std::string_view text) {
  static constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char ch) {
    return std::isalnum(ch) != 0 || kSymbols.find(static_cast<char>(ch)) != std::string_view::npos;
  });
}

// Beast writes the method and headers verbatim: a CR or LF from a caller's value would end the
// header there and start one (or a request) of the value's choosing. Values are not repeated in
// the message, as they may be credentials.
Status check_request_line_and_headers(const Request& request) {
  if (!is_token(request.method)) {
    return make_error(ErrorCode::invalid_argument, "an HTTP method that is not a token");
  }
  for (const auto& [name, value] : request.headers) {
    if (!is_token(name)) {
      return make_error(ErrorCode::invalid_argument, "a header name that is not a token");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return make_error(ErrorCode::invalid_argument,
                        "header " + name + ": a value with CR, LF or NUL");
    }
  }
  return ok();
}

}  // namespace

Result<Response> perform(const Request& request) {
  DONUT_RETURN_IF_ERROR(check_request_line_and_headers(request));
  DONUT_ASSIGN_OR_RETURN(const Target target, parse_url(request.url));
  auto& state = thread_state();
  const auto started = Clock::now();
  Exchange x{state.io, request.stop, started + request.timeout};
  auto message = to_beast(request, target);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto connection = state.take(target.origin, request.max_idle);
    const bool reused = connection != nullptr;
    if (!reused) {
      connection = std::make_unique<Connection>(state.io, target.origin);
      if (auto ec = connect(x, *connection, started + kConnectTimeoutCap); ec || x.over()) {
        return failure(request, x, ec);
      }
    }
    bhttp::response<bhttp::string_body> answer;
    connection->buffer.clear();
    x.got_some = false;
    const auto ec =
        connection->secure
            ? exchange(x, *connection, *connection->secure, message, request.max_body, answer)
            : exchange(x, *connection, *connection->plain, message, request.max_body, answer);
    if (!ec) {
      if (answer.keep_alive()) state.keep(std::move(connection));
      return to_response(std::move(answer));
    }
    // A kept connection the peer had closed meanwhile: send again once, on a new one.
    if (!reused || x.got_some || x.over()) return failure(request, x, ec);
  }
  return make_error(ErrorCode::unavailable, request.method + " " + request.url + ": no answer");
}

const std::string* Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string find_ca_bundle(const char* configured, bool (*exists)(const char* path)) {
  if (configured != nullptr && *configured != '\0') return configured;
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}) {
    if (exists(path)) return path;
  }
  return {};
}

const std::string& ca_bundle() {
  static const std::string path = find_ca_bundle(
      std::getenv("DONUT_CA_BUNDLE"), [](const char* p) { return ::access(p, R_OK) == 0; });
  return path;
}

Result<Response> post_json(const std::string& url, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers,
                           Millis timeout) {
  Request request;
  request.method = "POST";
  request.url = url;
  request.body = std::move(body);
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/json");
  request.timeout = timeout;
  return perform(request);
}

Result<Response> get(const std::string& url, Millis timeout) {
  Request request;
  request.url = url;
  request.timeout = timeout;
  return perform(request);
}

}  // namespace donut::http_client
