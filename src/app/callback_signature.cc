#include "app/callback_signature.h"

#include <charconv>

#include "common/crypto.h"

namespace donut::app {

std::string sign_callback(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  std::string message = std::to_string(unix_seconds);
  message += '.';
  message += body;
  return "v1=" + crypto::to_hex(crypto::hmac_sha256(secret, message));
}

Status verify_callback(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, TimePoint now,
                       std::chrono::seconds max_skew) {
  if (secret.empty())
    return make_error(ErrorCode::unauthorized, "callback secret is not configured");
  if (timestamp_header.empty() || signature_header.empty()) {
    return make_error(ErrorCode::unauthorized,
                      "missing X-Factory-Timestamp or X-Factory-Signature");
  }
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(
      timestamp_header.data(), timestamp_header.data() + timestamp_header.size(), seconds);
  if (ec != std::errc() || end != timestamp_header.data() + timestamp_header.size()) {
    return make_error(ErrorCode::unauthorized, "X-Factory-Timestamp is not a number");
  }
  const int64_t now_seconds = to_unix_ms(now) / 1000;
  if (seconds < now_seconds - max_skew.count() || seconds > now_seconds + max_skew.count()) {
    return make_error(ErrorCode::unauthorized,
                      "X-Factory-Timestamp is outside the accepted window");
  }
  const std::string expected = sign_callback(secret, seconds, body);
  if (!crypto::constant_time_equal(expected, signature_header)) {
    return make_error(ErrorCode::unauthorized, "signature does not match");
  }
  return ok();
}

}  // namespace donut::app
