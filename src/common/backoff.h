// Exponential backoff with full jitter, for every retry loop (queue consumers, the relay, the
// factory and AWS clients): spreading retries at random keeps many clients that failed together
// from retrying together. Thread-safe (one random engine per thread, common/random.h); the
// jitter is drawn by common/uniform.h, so a deterministic thread gets the same delays on every
// toolchain.
#pragma once

#include "common/time.h"

namespace donut {

// The pause of a background loop after a failed round (a consumer's receive, the relay's
// publish) and between attempts to reach a server that is away (common/reconnect_gate.h).
inline constexpr Millis kLoopRetryBase{100};
inline constexpr Millis kLoopRetryCap{5000};

// The delay before retrying after the n-th failed attempt (1-based): a random delay in
// [base, min(cap, base * 2^(n-1))].
Millis backoff_delay(int attempt, Millis base, Millis cap);

}  // namespace donut
