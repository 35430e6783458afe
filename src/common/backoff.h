// Exponential backoff with full jitter, for every retry loop (queue consumers, the relay, the
// factory and AWS clients): spreading retries at random keeps many clients that failed together
// from retrying together. Thread-safe (one random engine per thread, common/random.h).
#pragma once

#include "common/time.h"

namespace donut {

// The delay before retrying after the n-th failed attempt (1-based): a random delay in
// [base, min(cap, base * 2^(n-1))].
Millis backoff_delay(int attempt, Millis base, Millis cap);

}  // namespace donut
