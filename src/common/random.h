// The per-thread random generator behind ids, receipt handles and backoff jitter, and the one
// switch that makes them reproducible.
//
// By default each thread's generator is seeded from the OS and ULIDs take the system clock's
// time. A deterministic run (the simulator, which drives the whole shop on one thread) opens a
// `DeterministicThread` scope: until it ends, this thread's generator is seeded with `seed` and
// ULIDs take their time from `unix_ms`, so the same seed mints the same ids and delays. Other
// threads are not affected. Not reentrant: one scope per thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <random>

namespace donut {

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
