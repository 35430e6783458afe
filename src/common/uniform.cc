#include "common/uniform.h"

#include "common/assert.h"

namespace donut {

int64_t uniform_int(std::mt19937_64& rng, int64_t low, int64_t high) {
  DONUT_ASSERT(low <= high);
  // The interval's size as an unsigned 64-bit number; 0 stands for all 2^64 values.
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low) + 1;
  if (range == 0) return static_cast<int64_t>(rng());
  unsigned __int128 product = static_cast<unsigned __int128>(rng()) * range;
  auto low_bits = static_cast<uint64_t>(product);
  if (low_bits < range) {
    const uint64_t threshold = (0 - range) % range;  // 2^64 mod range
    while (low_bits < threshold) {
      product = static_cast<unsigned __int128>(rng()) * range;
      low_bits = static_cast<uint64_t>(product);
    }
  }
  const auto offset = static_cast<uint64_t>(product >> 64);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + offset);
}

double uniform_unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace donut
