#include "http/metrics.h"

#include <algorithm>

#include <prometheus/text_serializer.h>

namespace donut::http {

HttpMetrics::HttpMetrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      requests_(prometheus::BuildCounter()
                    .Name("donut_http_requests_total")
                    .Help("HTTP requests answered, by route and status")
                    .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("donut_http_request_duration_seconds")
                   .Help("Time from request parsed to response handed to the socket")
                   .Register(*registry_)) {}

HttpMetrics::RouteMetrics* HttpMetrics::route(const std::string& name) {
  auto metrics = std::make_unique<RouteMetrics>();
  metrics->owner = this;
  metrics->name = name;
  routes_.push_back(std::move(metrics));
  return routes_.back().get();
}

void HttpMetrics::RouteMetrics::record(int status, double seconds) {
  const auto it = std::find(kStatuses.begin(), kStatuses.end(), status);
  const auto index = static_cast<std::size_t>(it - kStatuses.begin());
  prometheus::Counter* counter = requests[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Add is thread-safe and returns the same series for the same labels, so two
    // threads racing here store the same pointer.
    counter = &owner->requests_.Add(
        {{"route", name},
         {"status", index < kStatuses.size() ? std::to_string(kStatuses[index]) : "other"}});
    requests[index].store(counter, std::memory_order_release);
  }
  counter->Increment();
  prometheus::Histogram* histogram = latency.load(std::memory_order_acquire);
  if (histogram == nullptr) {
    histogram = &owner->latency_.Add({{"route", name}}, prometheus::Histogram::BucketBoundaries{
                                                            0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                            0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    latency.store(histogram, std::memory_order_release);
  }
  histogram->Observe(seconds);
}

void HttpMetrics::add_counter(std::string name, std::string help, std::function<uint64_t()> read) {
  external_.push_back({std::move(name), std::move(help), std::move(read)});
}

void HttpMetrics::add_collectable(std::shared_ptr<prometheus::Collectable> collectable) {
  collectables_.push_back(std::move(collectable));
}

std::string HttpMetrics::serialize() const {
  auto families = registry_->Collect();
  for (const auto& collectable : collectables_) {
    auto more = collectable->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  for (const auto& counter : external_) {
    prometheus::ClientMetric metric;
    metric.counter.value = static_cast<double>(counter.read());
    families.push_back({counter.name, counter.help, prometheus::MetricType::Counter, {metric}});
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace donut::http
