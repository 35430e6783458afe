// Clock port: where "now" comes from, and how a handler waits in place (a retry's pause).
// Production uses the system clock; tests use a fake they move by hand, so visibility timeouts,
// leases and retention are tested without sleeping; the simulator's clock moves its time
// forward when a handler waits, so a run never sleeps and is exactly reproducible.
// Implementations must be safe to call from any thread.
#pragma once

#include <stop_token>

#include "common/stoppable_sleep.h"
#include "common/time.h"

namespace donut::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Waits `duration`, or less when `stop` is requested. Default: a real (stoppable) sleep.
  virtual void sleep_for(Millis duration, std::stop_token stop) const {
    sleep_unless_stopped(duration, stop);
  }
};

}  // namespace donut::ports
