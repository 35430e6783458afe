// Uniform draws from a 64-bit generator by a mapping this project specifies, so that one seed
// gives the same values on every compiler and standard library: `std::uniform_*_distribution`
// leave their algorithm to the implementation (libstdc++ and libc++ differ), while the
// generators themselves (`std::mt19937_64`) are fully specified by the standard.
//
// - `uniform_int(rng, low, high)`: an integer in [low, high], both included, exactly uniform:
//   Lemire's multiply-and-shift (the high 64 bits of draw x range), drawing again while the low
//   64 bits fall below 2^64 mod range (Lemire, "Fast Random Integer Generation in an Interval",
//   2019). Consumes one draw, more only on a rejection.
// - `uniform_unit(rng)`: a double in [0, 1): the top 53 bits of one draw times 2^-53.
// Used by the simulator's dice and by the backoff jitter, which the simulator runs.
#pragma once

#include <cstdint>
#include <random>

namespace donut {

int64_t uniform_int(std::mt19937_64& rng, int64_t low, int64_t high);
double uniform_unit(std::mt19937_64& rng);

}  // namespace donut
