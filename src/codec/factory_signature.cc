#include "codec/factory_signature.h"

#include <charconv>

#include "common/crypto.h"

namespace donut::codec {
namespace {

constexpr std::string_view kCallbackPurpose = "";
constexpr std::string_view kRequestPurpose = "manufacture-request:";

std::string sign(std::string_view purpose, std::string_view secret, int64_t unix_seconds,
                 std::string_view body) {
  std::string message(purpose);
  message += std::to_string(unix_seconds);
  message += '.';
  message += body;
  return "v1=" + crypto::to_hex(crypto::hmac_sha256(secret, message));
}

// `headers` names the two headers in the error messages.
Status verify(std::string_view purpose, std::string_view headers, std::string_view secret,
              std::string_view timestamp_header, std::string_view signature_header,
              std::string_view body, TimePoint now, std::chrono::seconds max_skew) {
  if (secret.empty()) return make_error(ErrorCode::unauthorized, "the secret is not configured");
  if (timestamp_header.empty() || signature_header.empty()) {
    return make_error(ErrorCode::unauthorized, "missing " + std::string(headers));
  }
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(
      timestamp_header.data(), timestamp_header.data() + timestamp_header.size(), seconds);
  if (ec != std::errc() || end != timestamp_header.data() + timestamp_header.size()) {
    return make_error(ErrorCode::unauthorized, "the timestamp is not a number");
  }
  const int64_t now_seconds = to_unix_ms(now) / 1000;
  if (seconds < now_seconds - max_skew.count() || seconds > now_seconds + max_skew.count()) {
    return make_error(ErrorCode::unauthorized, "the timestamp is outside the accepted window");
  }
  if (!crypto::constant_time_equal(sign(purpose, secret, seconds, body), signature_header)) {
    return make_error(ErrorCode::unauthorized, "signature does not match");
  }
  return ok();
}

}  // namespace

std::string sign_callback(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  return sign(kCallbackPurpose, secret, unix_seconds, body);
}

std::string sign_manufacture_request(std::string_view secret, int64_t unix_seconds,
                                     std::string_view body) {
  return sign(kRequestPurpose, secret, unix_seconds, body);
}

Status verify_callback(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, TimePoint now,
                       std::chrono::seconds max_skew) {
  return verify(kCallbackPurpose, "X-Factory-Timestamp or X-Factory-Signature", secret,
                timestamp_header, signature_header, body, now, max_skew);
}

Status verify_manufacture_request(std::string_view secret, std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view body,
                                  TimePoint now, std::chrono::seconds max_skew) {
  return verify(kRequestPurpose, "X-Donut-Timestamp or X-Donut-Signature", secret, timestamp_header,
                signature_header, body, now, max_skew);
}

}  // namespace donut::codec
