// What an attacker does with 312 consecutive outputs of a std::mt19937_64: undo the tempering
// to get the generator's state, run the recurrence once, and know its next output. A source
// that passes this test's check (prediction wrong) is at least not a bare Mersenne Twister.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace donut::testing {

inline uint64_t undo_right_shift_xor(uint64_t y, int shift, uint64_t mask) {
  uint64_t x = y;
  for (int i = 0; i < 64 / shift + 1; ++i) x = y ^ ((x >> shift) & mask);
  return x;
}

inline uint64_t undo_left_shift_xor(uint64_t y, int shift, uint64_t mask) {
  uint64_t x = y;
  for (int i = 0; i < 64 / shift + 1; ++i) x = y ^ ((x << shift) & mask);
  return x;
}

inline uint64_t mt64_untemper(uint64_t y) {
  y = undo_right_shift_xor(y, 43, ~uint64_t{0});
  y = undo_left_shift_xor(y, 37, 0xFFF7EEE000000000ull);
  y = undo_left_shift_xor(y, 17, 0x71D67FFFEDA60000ull);
  return undo_right_shift_xor(y, 29, 0x5555555555555555ull);
}

inline uint64_t mt64_temper(uint64_t y) {
  y ^= (y >> 29) & 0x5555555555555555ull;
  y ^= (y << 17) & 0x71D67FFFEDA60000ull;
  y ^= (y << 37) & 0xFFF7EEE000000000ull;
  return y ^ (y >> 43);
}

// The output that follows `seen` (exactly 312 consecutive outputs) if they came from a
// std::mt19937_64.
inline uint64_t mt64_predict_next(std::span<const uint64_t, 312> seen) {
  const uint64_t upper = 0xFFFFFFFF80000000ull, lower = 0x7FFFFFFFull;
  const uint64_t x0 = mt64_untemper(seen[0]), x1 = mt64_untemper(seen[1]);
  const uint64_t xm = mt64_untemper(seen[156]);
  const uint64_t y = (x0 & upper) | (x1 & lower);
  const uint64_t next = xm ^ (y >> 1) ^ ((y & 1) ? 0xB5026F5AA96619E9ull : 0);
  return mt64_temper(next);
}

}  // namespace donut::testing
