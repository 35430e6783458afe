// A background loop's proof of life. The loop beats each time it completes a pass; a health
// check asks how long the loop has been silent. A loop blocked for longer than any of its calls'
// timeouts allow is stuck, and restarting its process is the cure (the roles' /healthz).
//
// Threading: one thread beats, any thread reads; lock-free. Steady time, so a wall-clock jump
// neither hides nor invents a stall.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/time.h"

namespace donut {

class Heartbeat {
 public:
  Heartbeat() { beat(); }
  void beat() { last_.store(now_ms(), std::memory_order_relaxed); }
  Millis silence() const { return Millis(now_ms() - last_.load(std::memory_order_relaxed)); }

 private:
  static int64_t now_ms() {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::atomic<int64_t> last_;
};

}  // namespace donut
