// The simulator's clock: time moves only when the scheduler moves it, or when code under test
// waits in place (`sleep_for`: a retry's pause, a slow factory), which moves it by the wait
// instead of sleeping. So a run never sleeps and the same seed gives the same times.
// One thread only: the simulator drives everything on the thread that owns the clock.
#pragma once

#include "ports/clock.h"

namespace donut::sim {

class SimClock final : public ports::Clock {
 public:
  explicit SimClock(TimePoint start) : now_(start) {}
  TimePoint now() const override { return now_; }
  void sleep_for(Millis duration, std::stop_token) const override { now_ += duration; }
  void advance(Millis by) { now_ += by; }

 private:
  mutable TimePoint now_;  // const callers (Clock&) may wait, and waiting moves the time
};

}  // namespace donut::sim
