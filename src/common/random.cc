#include "common/random.h"

#include <chrono>
#include <optional>

namespace donut {
namespace {

struct ThreadRandom {
  std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  std::optional<std::mt19937_64> saved;  // the OS-seeded generator while a scope is open
  std::function<int64_t()> unix_ms;      // set while a scope is open
};

ThreadRandom& state() {
  thread_local ThreadRandom s;
  return s;
}

}  // namespace

std::mt19937_64& thread_random() {
  return state().rng;
}

DeterministicThread::DeterministicThread(uint64_t seed, std::function<int64_t()> unix_ms) {
  auto& s = state();
  s.saved = s.rng;
  s.rng.seed(seed);
  s.unix_ms = std::move(unix_ms);
}

DeterministicThread::~DeterministicThread() {
  auto& s = state();
  if (s.saved) s.rng = *s.saved;
  s.saved.reset();
  s.unix_ms = nullptr;
}

int64_t id_clock_unix_ms() {
  if (const auto& clock = state().unix_ms) return clock();
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

}  // namespace donut
