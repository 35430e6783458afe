// How long the current pass of a background loop has been running: the loop times each pass
// (`auto timing = pass.time();` for the scope of the pass), and a health check asks. A pass that
// runs longer than any of its calls' timeouts allow is stuck, and restarting the process is the
// cure (the roles' /healthz). A loop waiting between passes is idle, not stuck, however long it
// waits: its waits are timed.
//
// Threading: one thread times its passes, any thread reads; lock-free. Steady time, so a
// wall-clock jump neither hides nor invents a stall.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/time.h"

namespace donut {

class LoopPass {
 public:
  // Ends the pass when it goes out of scope.
  class Timing {
   public:
    explicit Timing(LoopPass& pass) : pass_(pass) { pass_.started_.store(now_ms()); }
    ~Timing() { pass_.started_.store(kIdle); }
    Timing(const Timing&) = delete;
    Timing& operator=(const Timing&) = delete;

   private:
    LoopPass& pass_;
  };

  [[nodiscard]] Timing time() { return Timing(*this); }
  // Zero while the loop is between passes.
  Millis running_for() const {
    const int64_t started = started_.load();
    return started == kIdle ? Millis(0) : Millis(now_ms() - started);
  }

 private:
  static constexpr int64_t kIdle = -1;
  static int64_t now_ms() {
    return std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  std::atomic<int64_t> started_{kIdle};
};

}  // namespace donut
