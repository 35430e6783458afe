// Prometheus metrics of the HTTP layer and of the sales path, in one registry served as text
// at GET /metrics. A series exists once it has something to say: a route's counter for a
// status, and its latency histogram, are created on the route's first answer with that status
// (no page of zero-valued series), then kept in the route's slot, so recording is an atomic
// load and a few atomic adds with no map lookup or lock. Counters kept elsewhere (the sales
// writer's) and collectors that read the warehouse and the queues (api/shop_metrics.h) are
// read when the metrics are served, not copied on the hot path. Register routes, counters and
// collectors before serving starts; serving is thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace donut::http {

class HttpMetrics {
 public:
  // Status codes the API answers with; anything else is counted under "other".
  static constexpr std::array<int, 16> kStatuses = {200, 201, 202, 204, 400, 401, 403, 404,
                                                    405, 409, 413, 415, 422, 429, 500, 503};

  struct RouteMetrics {
    HttpMetrics* owner = nullptr;
    std::string name;
    std::array<std::atomic<prometheus::Counter*>, kStatuses.size() + 1> requests{};
    std::atomic<prometheus::Histogram*> latency{nullptr};
    void record(int status, double seconds);
  };

  explicit HttpMetrics(std::shared_ptr<prometheus::Registry> registry);
  RouteMetrics* route(const std::string& name);  // call before serving starts
  // A counter another component keeps; `read` is called at every scrape, from any thread.
  void add_counter(std::string name, std::string help, std::function<uint64_t()> read);
  // Families another component builds at every scrape (from any thread).
  void add_collectable(std::shared_ptr<prometheus::Collectable> collectable);

  prometheus::Registry& registry() { return *registry_; }
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
  std::vector<std::unique_ptr<RouteMetrics>> routes_;
  struct ExternalCounter {
    std::string name, help;
    std::function<uint64_t()> read;
  };
  std::vector<ExternalCounter> external_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

}  // namespace donut::http
