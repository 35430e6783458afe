// Authenticates the factory's stock-arrival callback.
//
// The factory signs `timestamp + "." + body` with HMAC-SHA256 under a shared secret and sends
//   X-Factory-Timestamp: <unix seconds>
//   X-Factory-Signature: v1=<lower-case hex digest>
// The intake accepts a request only if the signature matches (compared in constant time) and
// the timestamp is within `max_skew` of its own clock, so a captured request cannot be replayed
// later; a replay inside the window changes nothing because arrivals are applied once per
// request id.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/time.h"

namespace donut::app {

inline constexpr std::string_view kTimestampHeader = "x-factory-timestamp";
inline constexpr std::string_view kSignatureHeader = "x-factory-signature";

std::string sign_callback(std::string_view secret, int64_t unix_seconds, std::string_view body);

// `unauthorized` with a reason when anything is missing, stale or wrong.
Status verify_callback(std::string_view secret, std::string_view timestamp_header,
                       std::string_view signature_header, std::string_view body, TimePoint now,
                       std::chrono::seconds max_skew = std::chrono::minutes(5));

}  // namespace donut::app
