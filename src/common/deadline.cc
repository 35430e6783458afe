#include "common/deadline.h"

#include <algorithm>

namespace donut {
namespace {

thread_local std::optional<TimePoint> tls_deadline;

TimePoint now() {
  return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
}

}  // namespace

DeadlineScope::DeadlineScope(TimePoint deadline) : enclosing_(tls_deadline) {
  tls_deadline = enclosing_ ? std::min(*enclosing_, deadline) : deadline;
}

DeadlineScope::~DeadlineScope() {
  tls_deadline = enclosing_;
}

std::optional<TimePoint> current_deadline() {
  return tls_deadline;
}

Millis bounded_by_deadline(Millis wanted) {
  if (!tls_deadline) return wanted;
  return std::min(std::max(Millis(0), *tls_deadline - now()), wanted);
}

}  // namespace donut
