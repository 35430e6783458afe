// The time by which the work on this thread must be done — a Lambda invocation's deadline less
// the margin its last steps need — so that code deep below that waits on a remote service (an
// AWS call, the factory) bounds each wait by what is left instead of by its own fixed timeout,
// and starts no attempt it cannot finish. The host sets it for the span of one unit of work with
// a DeadlineScope; outside one nothing changes (each caller's own timeouts apply).
//
// Thread-local: it does not follow work handed to another thread. Wall-clock time, as Lambda's
// Lambda-Runtime-Deadline-Ms is.
#pragma once

#include <optional>

#include "common/time.h"

namespace donut {

class DeadlineScope {
 public:
  explicit DeadlineScope(TimePoint deadline);
  ~DeadlineScope();  // the enclosing scope's deadline applies again
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  std::optional<TimePoint> enclosing_;
};

// The nearest deadline of this thread's scopes, if any.
std::optional<TimePoint> current_deadline();

// `wanted`, or what is left before the current deadline when that is less (never negative).
Millis bounded_by_deadline(Millis wanted);

}  // namespace donut
