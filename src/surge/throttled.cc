#include "surge/throttled.h"

#include <charconv>
#include <thread>

#include "common/backoff.h"

namespace donut::surge {

Millis throttled_retry_delay(const http_client::Response& answer, int attempt) {
  if (const auto* header = answer.header("retry-after")) {
    int64_t seconds = 0;
    const auto [end, ec] =
        std::from_chars(header->data(), header->data() + header->size(), seconds);
    if (ec == std::errc() && end == header->data() + header->size() && seconds >= 0) {
      return std::chrono::seconds(std::min<int64_t>(seconds, 30));
    }
  }
  return backoff_delay(attempt, std::chrono::milliseconds(100), std::chrono::seconds(5));
}

Result<http_client::Response> perform_honouring_429(const http_client::Request& request,
                                                    std::atomic<int64_t>& throttled,
                                                    Millis give_up_after) {
  const auto give_up = std::chrono::steady_clock::now() + give_up_after;
  for (int attempt = 1;; ++attempt) {
    auto answer = http_client::perform(request);
    if (!answer || answer->status != 429) return answer;
    throttled.fetch_add(1, std::memory_order_relaxed);
    const Millis pause = throttled_retry_delay(*answer, attempt);
    if (std::chrono::steady_clock::now() + pause > give_up) return answer;
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace donut::surge
