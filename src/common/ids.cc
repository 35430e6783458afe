#include "common/ids.h"

#include <array>
#include <chrono>
#include <random>

#include "common/random.h"

namespace donut {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string new_id_at(int64_t unix_ms) {
  // 128 bits: time (48) | randomness (80), written big-endian as 26 base-32 digits (130 bits,
  // the top two are zero).
  const auto time = static_cast<uint64_t>(unix_ms) & 0xFFFF'FFFF'FFFFull;
  auto& rng = thread_random();
  const uint64_t r1 = rng();
  const uint64_t r2 = rng();
  const uint64_t hi = (time << 16) | (r1 >> 48);   // 48 time bits + 16 random bits
  const uint64_t lo = (r1 << 16) | (r2 & 0xFFFF);  // 64 random bits
  std::string out(26, '0');
  // Walk 5 bits at a time from the least significant end of the 128-bit number.
  uint64_t h = hi, l = lo;
  for (int i = 25; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kCrockford[l & 0x1F];
    l = (l >> 5) | ((h & 0x1F) << 59);
    h >>= 5;
  }
  return out;
}

std::string new_id() {
  return new_id_at(id_clock_unix_ms());
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto& rng = thread_random();
  std::string out;
  out.reserve(bytes * 2);
  uint64_t pool = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    if (i % 8 == 0) pool = rng();
    const auto byte = static_cast<unsigned>(pool & 0xFF);
    pool >>= 8;
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0xF]);
  }
  return out;
}

}  // namespace donut
