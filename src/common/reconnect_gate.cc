#include "common/reconnect_gate.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/backoff.h"

namespace donut {

Status ReconnectGate::admit() {
  std::lock_guard lock(mutex_);
  if (down_ && Clock::now() < next_attempt_) {
    return make_error(ErrorCode::unavailable, server_ + " is down; reconnecting");
  }
  return ok();
}

void ReconnectGate::failed(const Error& error) {
  std::lock_guard lock(mutex_);
  delay_ = std::clamp(delay_ * 2, kLoopRetryBase, kLoopRetryCap);
  next_attempt_ = Clock::now() + delay_;
  if (!down_) {
    down_ = true;
    down_since_ = Clock::now();
    spdlog::warn("{}: lost ({}); reconnecting with backoff", server_, error.message);
  }
}

void ReconnectGate::connected(std::string_view where) {
  std::lock_guard lock(mutex_);
  if (down_) {
    // A warning like the loss it ends, so a log filtered to warnings shows both ends.
    spdlog::warn("{}: connected to {} again after {:.1f} s", server_, where,
                 std::chrono::duration<double>(Clock::now() - down_since_).count());
  }
  down_ = false;
  delay_ = std::chrono::milliseconds(0);
}

bool ReconnectGate::down() const {
  std::lock_guard lock(mutex_);
  return down_;
}

}  // namespace donut
