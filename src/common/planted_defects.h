// Known defects planted on purpose, each behind a switch that only the simulator's tests turn
// on (tests/sim/planted_defects_test.cc): they prove that the simulator catches a lost event or
// an arrival applied twice. Off unless a test plants one; no host or command sets them. Where a
// defect would be, the code costs one relaxed atomic load.
#pragma once

#include <string_view>

namespace donut::planted {

enum class Defect {
  none,
  arrival_applied_twice,          // apply_arrival skips its idempotency check
  relay_marks_before_publishing,  // the outbox relay marks entries published, then publishes
};

// Plants `defect` (only one at a time); `Defect::none` removes it.
void plant(Defect defect);
bool is_planted(Defect defect);
std::string_view to_string(Defect defect);

}  // namespace donut::planted
