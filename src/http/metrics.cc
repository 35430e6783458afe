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
  for (std::size_t i = 0; i < kStatuses.size(); ++i) {
    metrics->requests[i] =
        &requests_.Add({{"route", name}, {"status", std::to_string(kStatuses[i])}});
  }
  metrics->requests[kStatuses.size()] = &requests_.Add({{"route", name}, {"status", "other"}});
  metrics->latency = &latency_.Add({{"route", name}}, prometheus::Histogram::BucketBoundaries{
                                                          0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05, 0.1, 0.25, 0.5, 1, 2.5});
  routes_.push_back(std::move(metrics));
  return routes_.back().get();
}

void HttpMetrics::RouteMetrics::record(int status, double seconds) {
  const auto it = std::find(kStatuses.begin(), kStatuses.end(), status);
  requests[static_cast<std::size_t>(it - kStatuses.begin())]->Increment();
  latency->Observe(seconds);
}

void HttpMetrics::add_counter(std::string name, std::string help, std::function<uint64_t()> read) {
  external_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string HttpMetrics::serialize() const {
  auto families = registry_->Collect();
  for (const auto& counter : external_) {
    prometheus::ClientMetric metric;
    metric.counter.value = static_cast<double>(counter.read());
    families.push_back({counter.name, counter.help, prometheus::MetricType::Counter, {metric}});
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace donut::http
