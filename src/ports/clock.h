// Clock port: where "now" comes from. Production uses the system clock; tests use a fake they
// move by hand, so visibility timeouts, leases and retention are tested without sleeping.
// Implementations must be safe to call from any thread.
#pragma once

#include "common/time.h"

namespace donut::ports {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

}  // namespace donut::ports
