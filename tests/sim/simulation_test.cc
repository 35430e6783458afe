// The simulator itself: a run is a function of its seed, every invariant holds over a sweep of
// seeds on both engines, and the fault plan is parsed as documented. The long sweep is the
// `sim.sweep` test (`donut sim`); the planted defects are planted_defects_test.cc.
#include "sim/simulation.h"

#include <random>

#include <gtest/gtest.h>

#include "common/fnv1a.h"
#include "common/uniform.h"

namespace donut::sim {
namespace {

using domain::ReplenishmentPolicy;
constexpr ReplenishmentPolicy kPolicies[] = {ReplenishmentPolicy::at_zero,
                                             ReplenishmentPolicy::reorder_point};

SimOptions options(uint64_t seed, std::string engine = "memory", int64_t steps = 1500,
                   ReplenishmentPolicy policy = ReplenishmentPolicy::at_zero) {
  SimOptions o;
  o.seed = seed;
  o.engine = std::move(engine);
  o.steps = steps;
  o.policy = policy;
  return o;
}

int64_t injected(const SimReport& r, std::string_view kind) {
  for (const auto& [name, n] : r.faults) {
    if (name == kind) return n;
  }
  return -1;
}

TEST(Simulation, TheSameSeedGivesTheSameTraceByteForByte) {
  for (const char* engine : {"memory", "sqlite"}) {
    for (auto policy : kPolicies) {
      const auto first = run_simulation(options(7, engine, 1500, policy));
      const auto second = run_simulation(options(7, engine, 1500, policy));
      const std::string run = std::string(engine) + " " + std::string(domain::to_string(policy));
      ASSERT_FALSE(first.violation) << format_report(first);
      EXPECT_EQ(first.trace_hash, second.trace_hash) << run;
      EXPECT_EQ(first.steps, second.steps) << run;
      EXPECT_EQ(first.operations, second.operations) << run;
      EXPECT_EQ(first.orders_sold, second.orders_sold) << run;
      EXPECT_EQ(first.faults, second.faults) << run;
    }
  }
  EXPECT_NE(run_simulation(options(7)).trace_hash, run_simulation(options(8)).trace_hash);
  EXPECT_NE(
      run_simulation(options(7)).trace_hash,
      run_simulation(options(7, "memory", 1500, ReplenishmentPolicy::reorder_point)).trace_hash)
      << "the policy changes the run";
}

// Stricter than the broker port promises (it promises no order between messages): today the
// in-memory engines and the real SQLite store and broker answer every call of a run alike, so a
// seed makes the same run, event for event, on both. That is what lets the long sweeps run on
// the fast in-memory engines. If an engine changes its delivery order on purpose, this test is
// the one to revisit; a difference in anything else is a bug in one of them.
TEST(Simulation, TheInMemoryAndSqliteEnginesMakeTheSameRunFromOneSeed) {
  for (auto policy : kPolicies) {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      const auto memory = run_simulation(options(seed, "memory", 1500, policy));
      const auto sqlite = run_simulation(options(seed, "sqlite", 1500, policy));
      ASSERT_FALSE(memory.violation) << format_report(memory);
      EXPECT_EQ(memory.trace_hash, sqlite.trace_hash) << "seed " << seed;
      EXPECT_EQ(memory.orders_sold, sqlite.orders_sold) << "seed " << seed;
    }
  }
}

TEST(Simulation, ARunMeetsEveryKindOfFaultAndStillHoldsItsInvariants) {
  const auto r = run_simulation(options(3, "memory", 20'000));
  ASSERT_FALSE(r.violation) << format_report(r);
  for (const auto& [kind, n] : r.faults) EXPECT_GT(n, 0) << kind << " was never injected";
  EXPECT_GT(r.orders_sold, 0);
  EXPECT_GT(r.arrivals_applied, 0);
  EXPECT_GT(r.crashes, 0);
  ASSERT_EQ(r.queues.size(), 3u);
  for (const auto& q : r.queues) {
    EXPECT_GT(q.enqueued, 0) << q.queue;
    EXPECT_EQ(q.lost, 0) << q.queue;
    EXPECT_EQ(q.unexpected, 0) << q.queue;
    EXPECT_EQ(q.enqueued, q.completed) << q.queue;
  }
}

TEST(Simulation, WithoutFaultsNothingIsDuplicatedOrDeadLettered) {
  SimOptions o = options(5);
  o.faults = FaultPlan::none();
  const auto r = run_simulation(o);
  ASSERT_FALSE(r.violation) << format_report(r);
  EXPECT_EQ(r.crashes, 0);
  EXPECT_EQ(injected(r, "crash"), 0);
  EXPECT_EQ(r.redriven, 0);
  for (const auto& q : r.queues) EXPECT_EQ(q.duplicated, 0) << q.queue;
}

TEST(Simulation, ASweepOfSeedsHoldsEveryInvariantOnBothEnginesUnderBothPolicies) {
  for (auto policy : kPolicies) {
    for (uint64_t seed = 1; seed <= 60; ++seed) {
      const auto r = run_simulation(options(seed, "memory", 1500, policy));
      ASSERT_FALSE(r.violation) << format_report(r);
    }
    for (uint64_t seed = 1; seed <= 6; ++seed) {
      const auto r = run_simulation(options(seed, "sqlite", 1500, policy));
      ASSERT_FALSE(r.violation) << format_report(r);
    }
  }
}

// Seeds that once broke an invariant, kept so the fix stays.
TEST(Simulation, RegressionSeeds) {
  // Seed 2: a restock the factory had accepted was still `requested` when the clock jumped past
  // the policy's stale_after and a new one opened. By design (domain/sales.h) the old one may
  // still arrive; the checker had counted it as a second open restock.
  const auto r = run_simulation(options(2, "memory", 2000));
  EXPECT_FALSE(r.violation) << format_report(r);
}

// The draws follow their specification (common/uniform.h) to the bit, which is what lets a seed
// replay on any standard library (sim.replays_anywhere compares two of them).
TEST(Uniform, AnIntegerIsTheHighHalfOfDrawTimesRange) {
  std::mt19937_64 rng(42), copy(42);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t range = 10;
    const unsigned __int128 product = static_cast<unsigned __int128>(copy()) * range;
    ASSERT_GE(static_cast<uint64_t>(product), (0 - range) % range) << "no rejection at seed 42";
    EXPECT_EQ(uniform_int(rng, 5, 14), 5 + static_cast<int64_t>(product >> 64));
  }
  std::mt19937_64 wide(7), wide_copy(7);
  EXPECT_EQ(uniform_int(wide, INT64_MIN, INT64_MAX), static_cast<int64_t>(wide_copy()));
  EXPECT_EQ(uniform_int(wide, 3, 3), 3);
}

TEST(Uniform, AUnitIsTheTop53BitsOfADraw) {
  std::mt19937_64 rng(9), copy(9);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform_unit(rng);
    EXPECT_EQ(u, static_cast<double>(copy() >> 11) / 9007199254740992.0);
    EXPECT_TRUE(u >= 0 && u < 1);
  }
}

TEST(Fnv1a, MatchesThePublishedVectors) {
  EXPECT_EQ(fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a("foobar"), 0x85944171f73967e8ull);
  EXPECT_EQ(fnv1a("bar", fnv1a("foo")), fnv1a("foobar"));
}

TEST(Simulation, AnUnknownEngineIsReportedNotCrashedOn) {
  const auto r = run_simulation(options(1, "mongodb"));
  ASSERT_TRUE(r.violation);
  EXPECT_NE(r.violation->detail.find("--engine"), std::string::npos);
}

TEST(FaultPlan, ParsesAllNoneAndAListWithProbabilities) {
  EXPECT_GT(FaultPlan::parse("all")->of(Fault::crash), 0);
  EXPECT_EQ(FaultPlan::parse("none")->of(Fault::crash), 0);
  auto plan = FaultPlan::parse("crash=0.5,mail_fails");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->of(Fault::crash), 0.5);
  EXPECT_EQ(plan->of(Fault::mail_fails), FaultPlan::all().of(Fault::mail_fails));
  EXPECT_EQ(plan->of(Fault::store_fails), 0);
  EXPECT_EQ(FaultPlan::parse("meteor").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(FaultPlan::parse("crash=2").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(FaultPlan::parse("crash=x").error().code, ErrorCode::invalid_argument);
}

}  // namespace
}  // namespace donut::sim
