// The Legacy Factory contract's two signed messages, both HMAC-SHA256 under the one secret the
// shop and the factory share:
//
//   the factory's stock-arrival callback (factory -> shop), as the contract defines it:
//     X-Factory-Timestamp: <unix seconds>
//     X-Factory-Signature: v1=<lower-case hex HMAC(secret, timestamp + "." + body)>
//   the shop's manufacture request (shop -> factory), so that a factory which checks it — the
//   simulator does — knows the request comes from the shop:
//     X-Donut-Timestamp: <unix seconds>
//     X-Donut-Signature: v1=<lower-case hex HMAC(secret, "manufacture-request:" + timestamp +
//                            "." + body)>
//
// The prefix keeps the two apart: a captured manufacture request, whose body has the same
// fields as a callback, does not verify as a callback, nor the other way round (a callback's
// signed text starts with a digit). A receiver accepts a message only if the signature matches
// (compared in constant time) and the timestamp is within `max_skew` of its own clock, so a
// capture cannot be replayed later; a replay inside the window changes nothing because both
// sides act once per request id. Extra headers are ignored by HTTP servers that do not know
// them (RFC 9110, section 5.1), so a real Legacy Factory is served the same request.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/time.h"

namespace donut::codec {

inline constexpr std::string_view kTimestampHeader = "x-factory-timestamp";
inline constexpr std::string_view kSignatureHeader = "x-factory-signature";
inline constexpr std::string_view kRequestTimestampHeader = "x-donut-timestamp";
inline constexpr std::string_view kRequestSignatureHeader = "x-donut-signature";

std::string sign_callback(std::string_view secret, int64_t unix_seconds, std::string_view body);
std::string sign_manufacture_request(std::string_view secret, int64_t unix_seconds,
                                     std::string_view body);

// `unauthorized` with a reason when anything is missing, stale or wrong.
Status verify_callback(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, TimePoint now,
                       std::chrono::seconds max_skew = std::chrono::minutes(5));
Status verify_manufacture_request(std::string_view secret, std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view body,
                                  TimePoint now,
                                  std::chrono::seconds max_skew = std::chrono::minutes(5));

}  // namespace donut::codec
