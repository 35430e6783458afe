#include "http/rate_limiter.h"

#include <algorithm>

namespace donut::http {

bool RateLimiter::allow(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (now - last_sweep_ > std::chrono::minutes(1) && buckets_.size() > 1024) {
    std::erase_if(buckets_, [&](const auto& entry) {
      return now - entry.second.updated > std::chrono::minutes(1);
    });
    last_sweep_ = now;
  }
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace donut::http
