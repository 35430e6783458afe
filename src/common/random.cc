#include "common/random.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include <openssl/rand.h>

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
  bool deterministic = false;
};

ThreadRandom& state() {
  thread_local ThreadRandom s;
  return s;
}

// Little-endian by arithmetic, not by memcpy, so a seed replays the same bytes on any machine.
void seeded_bytes(std::mt19937_64& rng, std::span<unsigned char> out) {
  uint64_t word = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i % 8 == 0) word = rng();
    out[i] = static_cast<unsigned char>(word & 0xFF);
    word >>= 8;
  }
}

}  // namespace

void random_bytes(std::span<unsigned char> out) {
  auto& s = state();
  if (s.deterministic) return seeded_bytes(s.rng, out);
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    std::fputs("donut: the cryptographic random generator failed; stopping\n", stderr);
    std::abort();
  }
}

uint64_t random_u64() {
  unsigned char bytes[8];
  random_bytes(bytes);
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

std::mt19937_64& thread_random() {
  return state().rng;
}

DeterministicThread::DeterministicThread(uint64_t seed, std::function<int64_t()> unix_ms) {
  auto& s = state();
  s.saved = s.rng;
  s.rng.seed(seed);
  s.unix_ms = std::move(unix_ms);
  s.deterministic = true;
}

DeterministicThread::~DeterministicThread() {
  auto& s = state();
  if (s.saved) s.rng = *s.saved;
  s.saved.reset();
  s.unix_ms = nullptr;
  s.deterministic = false;
}

int64_t id_clock_unix_ms() {
  if (const auto& clock = state().unix_ms) return clock();
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

}  // namespace donut
