// Small cryptographic helpers over OpenSSL: SHA-256, HMAC-SHA256, hex, base64, constant-time
// compare. Used by the factory-callback signature, request signing, Lambda event bodies and
// e-mail headers. Pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace donut::crypto {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);

std::string to_hex(const unsigned char* data, std::size_t size);
inline std::string to_hex(const Digest& digest) {
  return to_hex(digest.data(), digest.size());
}
inline std::string_view as_bytes(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// Base64 (RFC 4648 section 4, with padding). Decoding refuses anything but whole, padded
// groups of the standard alphabet.
std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);

// Compares without leaking, through timing, where two strings first differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace donut::crypto
