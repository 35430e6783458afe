// Prints the simulator's trace hash for fixed seeds on both engines and under both replenishment
// policies (the reorder point's arithmetic is floating point), one line per run:
//   <engine> <policy> seed <n>: <steps> steps, <operations> operations, trace <hash>
// tests/sim/replay_anywhere.sh builds this with g++ and libstdc++ and with clang and libc++ and
// compares the two outputs: a seed must replay the same run on any toolchain.
// Usage: sim_replay [seeds] [steps]   (default: seeds 1..6, 2000 steps)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/simulation.h"

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 6;
  const long steps = argc > 2 ? std::atol(argv[2]) : 2000;
  int violations = 0;
  using donut::domain::ReplenishmentPolicy;
  for (const char* engine : {"memory", "sqlite"}) {
    for (auto policy : {ReplenishmentPolicy::at_zero, ReplenishmentPolicy::reorder_point}) {
      for (int seed = 1; seed <= seeds; ++seed) {
        donut::sim::SimOptions options;
        options.seed = static_cast<uint64_t>(seed);
        options.steps = steps;
        options.engine = engine;
        options.policy = policy;
        const auto report = donut::sim::run_simulation(options);
        std::printf("%s %s seed %d: %lld steps, %lld operations, trace %016llx%s\n", engine,
                    std::string(donut::domain::to_string(policy)).c_str(), seed,
                    static_cast<long long>(report.steps), static_cast<long long>(report.operations),
                    static_cast<unsigned long long>(report.trace_hash),
                    report.violation ? " VIOLATION" : "");
        violations += report.violation ? 1 : 0;
      }
    }
  }
  return violations == 0 ? 0 : 1;
}
