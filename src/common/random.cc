#include "common/random.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <pthread.h>

#include <openssl/crypto.h>
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

void csprng_or_abort(unsigned char* out, std::size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    std::fputs("donut: the cryptographic random generator failed; stopping\n", stderr);
    std::abort();
  }
}

// Bumped in a forked child, so that no pool is ever shared by two processes.
std::atomic<uint64_t> fork_generation{0};

void watch_forks() {
  static const bool installed =
      ::pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }) == 0;
  (void)installed;
}

// A call to RAND_bytes costs system calls (0.8 to 3.8 us a call on the 2-core development
// machine, 40 to 200 times the two mt19937_64 draws an id took before; bench/random_source
// measures them side by side); so each thread draws 4 KiB at once and hands the bytes out in
// order, wiping each one it hands out: about a tenth of a call per id. The bytes are the
// CSPRNG's all the same, none is handed out twice, and a forked child draws its own.
struct Pool {
  std::array<unsigned char, 4096> bytes{};
  std::size_t used = sizeof bytes;
  uint64_t generation = 0;

  void take(std::span<unsigned char> out) {
    if (out.size() > bytes.size() / 4) return csprng_or_abort(out.data(), out.size());
    watch_forks();
    const uint64_t now = fork_generation.load(std::memory_order_relaxed);
    if (generation != now || used + out.size() > bytes.size()) {
      csprng_or_abort(bytes.data(), bytes.size());
      used = 0;
      generation = now;
    }
    std::memcpy(out.data(), bytes.data() + used, out.size());
    OPENSSL_cleanse(bytes.data() + used, out.size());
    used += out.size();
  }
};

}  // namespace

void random_bytes(std::span<unsigned char> out) {
  auto& s = state();
  if (s.deterministic) return seeded_bytes(s.rng, out);
  if (out.empty()) return;
  thread_local Pool pool;
  pool.take(out);
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
