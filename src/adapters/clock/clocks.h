// Clock adapters: the system clock for production, a hand-moved clock for tests.
#pragma once

#include <atomic>

#include "ports/clock.h"

namespace donut::clock {

class SystemClock final : public ports::Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

// Starts at a fixed instant and moves only when told to. Thread-safe.
class ManualClock final : public ports::Clock {
 public:
  explicit ManualClock(TimePoint start = from_unix_ms(1'764'000'000'000))
      : now_ms_(to_unix_ms(start)) {}
  TimePoint now() const override { return from_unix_ms(now_ms_.load()); }
  void advance(Millis by) { now_ms_ += by.count(); }
  void set(TimePoint t) { now_ms_ = to_unix_ms(t); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace donut::clock
