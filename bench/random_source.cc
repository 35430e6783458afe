// What an id's randomness costs, side by side in one run (common/random.h): the two
// mt19937_64 draws a ULID took before, one RAND_bytes call per id, and the per-thread pool the
// shop uses now (new_id and an X-Request-Id's random_hex(8)). Prints nanoseconds per id and the
// ratios; asserts nothing.
//   build/release/bench/random_source [ids per run]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <openssl/rand.h>

#include "common/ids.h"

namespace {

template <class F>
double nanoseconds_each(long n, F&& draw) {
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) draw();
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return took.count() / static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 1'000'000;
  volatile unsigned long long sink = 0;
  std::mt19937_64 rng(std::random_device{}());
  unsigned char bytes[10];
  const double twister = nanoseconds_each(n, [&] { sink = sink + rng() + rng(); });
  const double direct = nanoseconds_each(n, [&] {
    RAND_bytes(bytes, sizeof bytes);
    sink = sink + bytes[0];
  });
  const double ulid = nanoseconds_each(n, [&] { sink = sink + donut::new_id().size(); });
  const double request_id = nanoseconds_each(n, [&] { sink = sink + donut::random_hex(8).size(); });
  std::printf("%ld ids each\n", n);
  std::printf("  mt19937_64, two draws (before)   %8.1f ns\n", twister);
  std::printf("  RAND_bytes(10) per id            %8.1f ns  %6.1fx the draws\n", direct,
              direct / twister);
  std::printf("  new_id() from the pool (now)     %8.1f ns  %6.1fx the draws, %.2fx RAND_bytes\n",
              ulid, ulid / twister, ulid / direct);
  std::printf("  random_hex(8), an X-Request-Id   %8.1f ns\n", request_id);
  return sink == 42 ? 1 : 0;
}
