// Waits for `duration`, or less when `stop` is requested: the pause between retries of the
// background loops, which must not hold up a shutdown.
#pragma once

#include <condition_variable>
#include <mutex>
#include <stop_token>

#include "common/time.h"

namespace donut {

inline void sleep_unless_stopped(Millis duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any never_notified;
  std::unique_lock lock(mutex);
  never_notified.wait_for(lock, stop, duration, [] { return false; });
}

}  // namespace donut
