// Where randomness comes from, and the one switch that makes it reproducible.
//
// Two sources, for two purposes:
// - `random_bytes` / `random_u64`: anything another party must not guess — tokens, secrets,
//   ids (ULIDs), receipt handles, request ids. They come from OpenSSL's CSPRNG (`RAND_bytes`,
//   seeded by the kernel's getrandom), so no number of earlier values predicts the next one.
//   If the CSPRNG ever fails the process aborts: a guessable secret is worse than no process.
// - `thread_random()`: a per-thread mt19937_64 for what only needs to look random (backoff
//   jitter, simulated dice). Its raw output is never handed out.
//
// A deterministic run (the simulator, which drives the whole shop on one thread) opens a
// `DeterministicThread` scope: until it ends, both sources on this thread draw from one
// generator seeded with `seed`, and ULIDs take their time from `unix_ms`, so the same seed mints
// the same ids and delays. Other threads are not affected. Not reentrant: one scope per thread
// at a time. Thread-safe otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <span>

namespace donut {

void random_bytes(std::span<unsigned char> out);
uint64_t random_u64();

std::mt19937_64& thread_random();

class DeterministicThread {
 public:
  DeterministicThread(uint64_t seed, std::function<int64_t()> unix_ms);
  ~DeterministicThread();
  DeterministicThread(const DeterministicThread&) = delete;
  DeterministicThread& operator=(const DeterministicThread&) = delete;
};

// Milliseconds since the Unix epoch for new ids: the deterministic scope's clock, else the
// system clock.
int64_t id_clock_unix_ms();

}  // namespace donut
