// One gate per connection pool in front of (re)connecting to a server (MySQL, RabbitMQ):
// while the server is away, connection attempts are spaced out by a growing delay (100 ms
// doubling to 5 s, shared by every thread of the process), calls in between fail at once with
// `unavailable` instead of each waiting for a connect, and the log says once that the server
// was lost and once that it is back. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "common/error.h"

namespace donut {

class ReconnectGate {
 public:
  explicit ReconnectGate(std::string server) : server_(std::move(server)) {}

  // ok() when a connection attempt may be made now.
  Status admit();
  // The outcome of the attempt `admit` allowed.
  void failed(const Error& error);
  void connected(std::string_view where);

  bool down() const;

 private:
  using Clock = std::chrono::steady_clock;
  const std::string server_;  // for the log: "mysql 127.0.0.1:3306", "rabbitmq h1:5672,h2:5672"
  mutable std::mutex mutex_;
  bool down_ = false;
  Clock::time_point down_since_, next_attempt_;
  std::chrono::milliseconds delay_{0};
};

}  // namespace donut
