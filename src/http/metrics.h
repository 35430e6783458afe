// Prometheus metrics of the HTTP layer and of the sales path, in one registry served as text
// at GET /metrics. Counters and histograms are resolved once per route and status at startup,
// so recording on the hot path is a few atomic adds with no map lookup or lock. Counters kept
// elsewhere (the sales writer's) are read when the metrics are served, not copied on the hot
// path. Register routes and counters before serving starts; serving is thread-safe.
#pragma once

#include <array>
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
    std::array<prometheus::Counter*, kStatuses.size() + 1> requests{};
    prometheus::Histogram* latency = nullptr;
    void record(int status, double seconds);
  };

  explicit HttpMetrics(std::shared_ptr<prometheus::Registry> registry);
  RouteMetrics* route(const std::string& name);  // call before serving starts
  // A counter another component keeps; `read` is called at every scrape, from any thread.
  void add_counter(std::string name, std::string help, std::function<uint64_t()> read);

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
};

}  // namespace donut::http
