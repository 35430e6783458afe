// Where secrets and ids get their randomness (common/random.h): nothing handed out lets an
// observer predict the next value, and the simulator's scope still replays from its seed.
#include "common/random.h"

#include <array>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "common/ids.h"
#include "support/mt_predictor.h"

namespace donut {
namespace {

// random_hex writes its bytes in order; read 8 of them back as the little-endian word a
// generator's output would have been.
uint64_t word_of(const std::string& hex) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | std::stoul(hex.substr(2 * i, 2), nullptr, 16);
  return value;
}

TEST(Randomness, ThePredictorBreaksABareMersenneTwister) {
  // The attack below is real: against a std::mt19937_64 it predicts every next output.
  std::mt19937_64 rng(std::random_device{}());
  std::array<uint64_t, 312> seen{};
  for (auto& value : seen) value = rng();
  EXPECT_EQ(testing::mt64_predict_next(seen), rng());
}

TEST(Randomness, TokensSeenDoNotPredictTheNextToken) {
  // An observer collects 312 tokens (request ids, receipt handles) and tries the attack.
  for (int round = 0; round < 3; ++round) {
    std::array<uint64_t, 312> seen{};
    for (auto& value : seen) value = word_of(random_hex(8));
    EXPECT_NE(testing::mt64_predict_next(seen), word_of(random_hex(8)));
  }
}

TEST(Randomness, IdsAndTokensDoNotRepeat) {
  std::set<std::string> ids, tokens;
  for (int i = 0; i < 10'000; ++i) {
    ids.insert(new_id_at(0));  // same millisecond: only the 80 random bits differ
    tokens.insert(random_hex(16));
  }
  EXPECT_EQ(ids.size(), 10'000u);
  EXPECT_EQ(tokens.size(), 10'000u);
  EXPECT_EQ(random_hex(3).size(), 6u);
  EXPECT_EQ(random_hex(100).size(), 200u);
}

// The per-thread pool behind the source: a forked child never hands out what its parent will.
TEST(Randomness, AForkedChildDrawsItsOwnBytes) {
  (void)random_hex(8);  // the parent's pool is filled
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string drawn = random_hex(32);
    (void)!::write(pipe_fds[1], drawn.data(), drawn.size());
    ::_exit(0);
  }
  std::string in_child(64, '\0');
  ASSERT_EQ(::read(pipe_fds[0], in_child.data(), in_child.size()), 64);
  ::waitpid(child, nullptr, 0);
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
  EXPECT_NE(random_hex(32), in_child);
}

TEST(Randomness, ADeterministicScopeReplaysFromItsSeedAndEndsCleanly) {
  const auto draw = [](uint64_t seed) {
    DeterministicThread scope(seed, [] { return int64_t{1'700'000'000'000}; });
    return new_id() + random_hex(20) + std::to_string(random_u64()) +
           std::to_string(thread_random()());
  };
  EXPECT_EQ(draw(7), draw(7));
  EXPECT_NE(draw(7), draw(8));
  EXPECT_NE(random_hex(16), random_hex(16)) << "outside the scope: the cryptographic source";
}

}  // namespace
}  // namespace donut
