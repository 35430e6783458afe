// libFuzzer target: the factory-callback signature check on hostile headers and bodies.
// Input: "<timestamp>\n<signature>\n<body>". Nothing but the right HMAC over a fresh timestamp
// may pass, and a correctly signed copy of the same body always passes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/factory_signature.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto first = text.find('\n');
  const auto second = first == std::string_view::npos ? first : text.find('\n', first + 1);
  const auto timestamp = text.substr(0, first);
  const auto signature = first == std::string_view::npos
                             ? std::string_view()
                             : text.substr(first + 1, second - first - 1);
  const auto body = second == std::string_view::npos ? std::string_view() : text.substr(second + 1);
  const auto now = donut::from_unix_ms(1'764'000'000'000);
  const std::string secret = "fuzz-secret";
  auto verdict = donut::codec::verify_callback(secret, timestamp, signature, body, now);
  if (verdict) {
    // Accepted: the signature must be exactly ours for that timestamp.
    const auto expected =
        donut::codec::sign_callback(secret, std::stoll(std::string(timestamp)), body);
    if (expected != signature) std::abort();
  }
  const std::string good = donut::codec::sign_callback(secret, 1'764'000'000, body);
  if (!donut::codec::verify_callback(secret, "1764000000", good, body, now)) std::abort();
  return 0;
}
