// The faults the simulator injects, each with a probability per opportunity (a port call, a
// factory call, a step), and the seeded dice that decide them.
//
// `FaultPlan::parse` reads the `--faults` setting: "all" (every fault at its default
// probability), "none", or a comma-separated list of names, each optionally `=probability`
// ("crash,store_commit_unknown=0.05"). Errors: an unknown name or a probability outside [0, 1]
// is `invalid_argument`.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/time.h"
#include "common/uniform.h"

namespace donut::sim {

enum class Fault {
  crash,                              // a role dies before or after a port call
  store_fails,                        // a store call fails or times out before it commits
  store_commit_unknown,               // a store call commits, then its caller sees a timeout
  broker_fails,                       // a broker call fails before it happens
  broker_duplicates,                  // a message is enqueued twice
  broker_delays,                      // a message becomes visible 1-20 s late (reordering)
  broker_loses_ack,                   // a delete is lost: the message comes back
  factory_slow,                       // the factory takes 2-8 s to answer
  factory_fails,                      // the factory answers 503
  factory_times_out_after_accepting,  // accepted, but the answer never reaches the worker
  factory_calls_back_twice,           // the same arrival is reported twice
  factory_calls_back_late,            // the callback comes 5-60 minutes later
  factory_wrong_signature,            // a callback signed with the wrong secret (then resent)
  clock_jumps,                        // the clock jumps 1-90 minutes forward
  mail_fails,                         // the mail server refuses an e-mail
};
inline constexpr std::size_t kFaultKinds = 15;

std::string_view to_string(Fault fault);

struct FaultPlan {
  std::array<double, kFaultKinds> probability{};

  static FaultPlan none() { return {}; }
  static FaultPlan all();
  static Result<FaultPlan> parse(std::string_view spec);
  double of(Fault fault) const { return probability[static_cast<std::size_t>(fault)]; }
};

// Every random choice of a run: faults (counted by kind) and the scheduler's picks. The draws are
// the project's (common/uniform.h), so a seed replays the same on every toolchain.
class Dice {
 public:
  Dice(uint64_t seed, FaultPlan plan) : rng_(seed), plan_(plan) {}

  // Whether `fault` happens now (never while faults are off).
  bool roll(Fault fault);
  bool chance(double p) { return uniform_unit(rng_) < p; }
  int64_t between(int64_t low, int64_t high) { return uniform_int(rng_, low, high); }
  Millis between(Millis low, Millis high) { return Millis(between(low.count(), high.count())); }

  void set_faults_enabled(bool enabled) { faults_enabled_ = enabled; }
  int64_t injected(Fault fault) const { return counts_[static_cast<std::size_t>(fault)]; }

 private:
  std::mt19937_64 rng_;
  FaultPlan plan_;
  bool faults_enabled_ = true;
  std::array<int64_t, kFaultKinds> counts_{};
};

}  // namespace donut::sim
