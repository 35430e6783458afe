#include "common/planted_defects.h"

#include <atomic>

namespace donut::planted {
namespace {

std::atomic<Defect> planted_defect{Defect::none};

}  // namespace

void plant(Defect defect) {
  planted_defect.store(defect, std::memory_order_relaxed);
}

bool is_planted(Defect defect) {
  return planted_defect.load(std::memory_order_relaxed) == defect;
}

std::string_view to_string(Defect defect) {
  switch (defect) {
    case Defect::none:
      return "none";
    case Defect::arrival_applied_twice:
      return "arrival_applied_twice";
    case Defect::relay_marks_before_publishing:
      return "relay_marks_before_publishing";
  }
  return "none";
}

}  // namespace donut::planted
