// The simulator finds bugs: each known defect (common/planted_defects.h) is planted, and a sweep
// of at most the CI sweep's seeds must end in a violation of the invariant that guards against
// it. The seed that finds it is printed, and kept below as a regression seed.
#include "common/planted_defects.h"

#include <gtest/gtest.h>

#include "sim/simulation.h"

namespace donut::sim {
namespace {

constexpr uint64_t kCiSweepSeeds = 1000;  // tests/CMakeLists.txt, sim.sweep

struct Planted {
  explicit Planted(planted::Defect defect) { planted::plant(defect); }
  ~Planted() { planted::plant(planted::Defect::none); }
};

SimOptions options(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.steps = 2000;
  return o;
}

// The first seed of the CI sweep whose run breaks an invariant, and its report.
std::optional<SimReport> first_violation() {
  for (uint64_t seed = 1; seed <= kCiSweepSeeds; ++seed) {
    auto report = run_simulation(options(seed));
    if (report.violation) return report;
  }
  return std::nullopt;
}

TEST(PlantedDefects, AnArrivalAppliedTwiceIsCaught) {
  Planted planted(planted::Defect::arrival_applied_twice);
  const auto found = first_violation();
  ASSERT_TRUE(found) << "no seed of the CI sweep caught arrival_applied_twice";
  std::cout << "arrival_applied_twice: caught by seed " << found->seed << "\n"
            << format_report(*found);
  const auto& invariant = found->violation->invariant;
  EXPECT_TRUE(invariant == "an arrival is applied at most once" ||
              invariant == "initial + applied arrivals - sold = stock")
      << invariant;
}

TEST(PlantedDefects, TheRelayMarkingBeforePublishingIsCaught) {
  Planted planted(planted::Defect::relay_marks_before_publishing);
  const auto found = first_violation();
  ASSERT_TRUE(found) << "no seed of the CI sweep caught relay_marks_before_publishing";
  std::cout << "relay_marks_before_publishing: caught by seed " << found->seed << "\n"
            << format_report(*found);
  const auto& invariant = found->violation->invariant;
  EXPECT_TRUE(invariant == "every stock-out ends in an arrival or a dead letter" ||
              invariant == "no message is lost" ||
              invariant == "a redrive completes every stock-out")
      << invariant;
}

TEST(PlantedDefects, WithoutTheDefectTheSameSeedsPass) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    const auto report = run_simulation(options(seed));
    EXPECT_FALSE(report.violation) << format_report(report);
  }
}

}  // namespace
}  // namespace donut::sim
