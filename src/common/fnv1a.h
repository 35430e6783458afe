// FNV-1a, 64 bits (Fowler, Noll, Vo): a hash whose value the project specifies, unlike
// `std::hash`, whose value is the standard library's choice. The simulator identifies messages
// and hashes its trace with it, so both are the same on every toolchain.
#pragma once

#include <cstdint>
#include <string_view>

namespace donut {

inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ull;
inline constexpr uint64_t kFnv1aPrime = 1099511628211ull;

// Continues `hash` (the offset basis to start) over the bytes of `bytes`.
constexpr uint64_t fnv1a(std::string_view bytes, uint64_t hash = kFnv1aOffset) noexcept {
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * kFnv1aPrime;
  return hash;
}

static_assert(fnv1a("") == kFnv1aOffset);
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cull);  // the published test vector

}  // namespace donut
