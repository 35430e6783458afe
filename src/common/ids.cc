#include "common/ids.h"

#include <algorithm>
#include <array>
#include <chrono>

#include "common/random.h"

namespace donut {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

std::string new_id_at(int64_t unix_ms) {
  // 128 bits: time (48) | randomness (80), written big-endian as 26 base-32 digits (130 bits,
  // the top two are zero).
  const auto time = static_cast<uint64_t>(unix_ms) & 0xFFFF'FFFF'FFFFull;
  std::array<unsigned char, 10> random{};
  random_bytes(random);
  uint64_t lo = 0;
  for (std::size_t i = 2; i < random.size(); ++i) lo = (lo << 8) | random[i];  // 64 random bits
  const uint64_t hi = (time << 16) | (uint64_t{random[0]} << 8) | random[1];   // 48 time + 16
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
  std::string out(bytes * 2, '0');
  unsigned char chunk[64];
  for (std::size_t done = 0; done < bytes;) {
    const std::size_t n = std::min(sizeof chunk, bytes - done);
    random_bytes({chunk, n});
    for (std::size_t i = 0; i < n; ++i) {
      out[2 * (done + i)] = kHex[chunk[i] >> 4];
      out[2 * (done + i) + 1] = kHex[chunk[i] & 0xF];
    }
    done += n;
  }
  return out;
}

}  // namespace donut
