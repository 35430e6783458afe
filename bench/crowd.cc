// The crowd generator: thousands of customers at once, as a flash sale brings them. Each
// visitor opens a connection, sends a few orders (POST /v1/orders, keep-alive between them)
// and closes it, then comes back as a new visitor on a new connection; a share of the visitors
// keep their connection open for the whole run instead, as a page that stays open does.
//
// It reports one line of key=value figures (bench/crowd.sh reads them): answers per second,
// latency percentiles of the answered orders, connect percentiles, refusals (503
// too_many_connections), other errors, and how many visits were made. Each thread runs its own
// io_context with its share of the visitors, so the threads share nothing until the tally.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "common/open_files.h"

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// A connect, a write or a read that makes no progress this long counts as a hang.
constexpr auto kStepTimeout = std::chrono::seconds(10);

struct Settings {
  uint16_t port = 8080;
  int connections = 64;
  double seconds = 10;
  int orders_per_visit = 3;
  double keep_alive_share = 0.1;
  int threads = 1;
  std::string path = "/v1/orders";
  std::vector<std::string> products{"HOT"};
};

struct Tally {
  std::vector<uint32_t> latencies_us;  // of answered orders (not refusals)
  std::vector<uint32_t> connects_us;
  uint64_t answered = 0;  // 201 and 409: the shop decided the order (200: the ceiling server)
  uint64_t refused = 0;   // 503 too_many_connections
  uint64_t errors = 0;    // anything else: other statuses, resets, failed connects, timeouts
  uint64_t timeouts = 0;  // of those, steps with no progress in kStepTimeout: a hang
  uint64_t visits = 0;
};

uint32_t micros_since(Clock::time_point start) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count());
}

class Visitor : public std::enable_shared_from_this<Visitor> {
 public:
  Visitor(asio::io_context& io, const Settings& settings, Tally& tally, bool stays,
          Clock::time_point end, std::size_t index)
      : io_(io), settings_(settings), tally_(tally), stays_(stays), end_(end), index_(index) {}

  void visit() {
    if (Clock::now() >= end_) return;
    ++tally_.visits;
    stream_.emplace(io_);
    left_ = settings_.orders_per_visit;
    const auto started = Clock::now();
    const tcp::endpoint server{asio::ip::address_v4::loopback(), settings_.port};
    stream_->expires_after(kStepTimeout);
    stream_->async_connect(server, [self = shared_from_this(), started](beast::error_code ec) {
      if (ec) return self->failed(ec);
      self->tally_.connects_us.push_back(micros_since(started));
      self->order();
    });
  }

 private:
  void order() {
    const bool last = !stays_ && --left_ <= 0;
    const auto& product = settings_.products[(index_ + sent_++) % settings_.products.size()];
    request_ = {bhttp::verb::post, settings_.path, 11};
    request_.set(bhttp::field::host, "127.0.0.1");
    request_.set(bhttp::field::content_type, "application/json");
    request_.body() = R"({"product_id":")" + product + R"(","quantity":1})";
    request_.keep_alive(!last);
    request_.prepare_payload();
    const auto started = Clock::now();
    stream_->expires_after(kStepTimeout);
    bhttp::async_write(*stream_, request_,
                       [self = shared_from_this(), started](beast::error_code ec, std::size_t) {
                         if (ec) return self->failed(ec);
                         self->read(started);
                       });
  }

  void read(Clock::time_point started) {
    response_ = {};
    bhttp::async_read(*stream_, buffer_, response_,
                      [self = shared_from_this(), started](beast::error_code ec, std::size_t) {
                        if (ec) return self->failed(ec);
                        self->answered(started);
                      });
  }

  void answered(Clock::time_point started) {
    const auto status = response_.result_int();
    if (status == 200 || status == 201 || status == 409) {
      ++tally_.answered;
      tally_.latencies_us.push_back(micros_since(started));
    } else if (status == 503) {
      ++tally_.refused;
    } else {
      ++tally_.errors;
    }
    if (response_.keep_alive() && Clock::now() < end_ && (stays_ || left_ > 0)) return order();
    leave();
  }

  void failed(const beast::error_code& ec) {
    if (Clock::now() < end_) ++tally_.errors;
    if (ec == beast::error::timeout) ++tally_.timeouts;
    leave();
  }

  void leave() {
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->close();
    buffer_.clear();
    visit();
  }

  asio::io_context& io_;
  const Settings& settings_;
  Tally& tally_;
  const bool stays_;
  const Clock::time_point end_;
  const std::size_t index_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
  int left_ = 0;
  std::size_t sent_ = 0;
};

double percentile_ms(std::vector<uint32_t>& values, double share) {
  if (values.empty()) return 0;
  const auto at = static_cast<std::size_t>(share * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at] / 1000.0;
}

// Visitor i of the run belongs to thread i % threads; the first keep_alive_share of each
// thread's visitors keep their connection.
Tally run_thread(const Settings& settings, int thread, Clock::time_point end) {
  asio::io_context io;
  Tally tally;
  std::vector<std::size_t> mine;
  for (int i = thread; i < settings.connections; i += settings.threads) mine.push_back(i);
  const auto staying = static_cast<std::size_t>(settings.keep_alive_share * mine.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    std::make_shared<Visitor>(io, settings, tally, k < staying, end, mine[k])->visit();
  }
  io.run();
  return tally;
}

Tally merge(std::vector<Tally>& parts) {
  Tally all;
  for (auto& part : parts) {
    all.latencies_us.insert(all.latencies_us.end(), part.latencies_us.begin(),
                            part.latencies_us.end());
    all.connects_us.insert(all.connects_us.end(), part.connects_us.begin(), part.connects_us.end());
    all.answered += part.answered;
    all.refused += part.refused;
    all.errors += part.errors;
    all.timeouts += part.timeouts;
    all.visits += part.visits;
  }
  return all;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  while (from <= text.size()) {
    const auto comma = std::min(text.find(',', from), text.size());
    if (comma > from) parts.push_back(text.substr(from, comma - from));
    from = comma + 1;
  }
  return parts;
}

bool parse(int argc, char** argv, Settings& s) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--port")
      s.port = static_cast<uint16_t>(std::stoi(value));
    else if (name == "--connections")
      s.connections = std::stoi(value);
    else if (name == "--seconds")
      s.seconds = std::stod(value);
    else if (name == "--orders-per-visit")
      s.orders_per_visit = std::stoi(value);
    else if (name == "--keep-alive-share")
      s.keep_alive_share = std::stod(value);
    else if (name == "--threads")
      s.threads = std::stoi(value);
    else if (name == "--path")
      s.path = value;
    else if (name == "--products")
      s.products = split(value);
    else
      return false;
  }
  return argc % 2 == 1 && s.connections > 0 && s.threads > 0 && s.orders_per_visit > 0 &&
         !s.products.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  if (!parse(argc, argv, settings)) {
    std::cerr << "usage: crowd --port P [--connections N] [--seconds S] [--orders-per-visit K]\n"
                 "             [--keep-alive-share F] [--threads T] [--path /v1/orders]\n"
                 "             [--products A,B,...]\n";
    return 2;
  }
  const std::size_t open_files = donut::raise_open_files_limit();
  if (open_files < static_cast<std::size_t>(settings.connections) + 64) {
    std::cerr << "crowd: the open-files limit (" << open_files << ") is below "
              << settings.connections << " connections\n";
    return 2;
  }
  const auto started = Clock::now();
  const auto end = started + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(settings.seconds));
  std::vector<Tally> parts(static_cast<std::size_t>(settings.threads));
  std::vector<std::thread> threads;
  for (int t = 0; t < settings.threads; ++t) {
    threads.emplace_back([&, t] { parts[t] = run_thread(settings, t, end); });
  }
  for (auto& thread : threads) thread.join();
  const double took = std::chrono::duration<double>(Clock::now() - started).count();
  Tally all = merge(parts);
  std::cout << fmt::format(
      "answers_per_s={:.0f} p50_ms={:.2f} p99_ms={:.2f} connect_p99_ms={:.2f} refused={} "
      "errors={} timeouts={} visits={} answered={}\n",
      all.answered / took, percentile_ms(all.latencies_us, 0.5),
      percentile_ms(all.latencies_us, 0.99), percentile_ms(all.connects_us, 0.99), all.refused,
      all.errors, all.timeouts, all.visits, all.answered);
  return 0;
}
