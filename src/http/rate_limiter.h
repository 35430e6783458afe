// Per-client request rate limit: a token bucket per remote address (`rate` requests per
// second, bursts up to `burst`). The server answers 429 with Retry-After when a client's bucket
// is empty. Buckets idle for a minute are forgotten, so the table cannot grow without bound.
// Thread-safe (one mutex; the critical section is a hash lookup and a few arithmetic steps).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace donut::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst) {}

  bool allow(const std::string& client, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double rate_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace donut::http
