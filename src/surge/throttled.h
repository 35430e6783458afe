// Calls to a shop that may turn a crowd away with 429 Too Many Requests (its own rate limit,
// with Retry-After; API Gateway's throttling in front of the AWS deployment, without): the
// request is sent again, unchanged — so an order keeps its Idempotency-Key and cannot sell twice —
// after Retry-After when the answer gives it, else after a growing, jittered pause, until another
// answer comes or `give_up_after` has passed (then the last 429 is the answer).
// Thread-safe; `throttled` counts the 429s seen.
#pragma once

#include <atomic>
#include <cstdint>

#include "adapters/http/http_client.h"
#include "common/time.h"

namespace donut::surge {

// The pause before try `attempt` + 1 after a 429: Retry-After's seconds (at most 30) when the
// answer has it, else 100 ms doubling up to 5 s, each with jitter.
Millis throttled_retry_delay(const http_client::Response& answer, int attempt);

Result<http_client::Response> perform_honouring_429(
    const http_client::Request& request, std::atomic<int64_t>& throttled,
    Millis give_up_after = std::chrono::seconds(60));

}  // namespace donut::surge
