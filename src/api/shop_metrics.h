// What an operator alerts on, as Prometheus series served at GET /metrics next to the HTTP
// ones (http/metrics.h). Two kinds:
// - this process's counters, recorded as things happen: orders by product and outcome and the
//   group-commit batch size (the sales writer), factory call durations by outcome (when the
//   restock worker runs in this process);
// - warehouse-wide figures read from the store and the broker at every scrape: stock and
//   restocks in flight per product, the outbox backlog and the age of its oldest entry, restock
//   lead time (stock-out to arrival) as a histogram, the factory's answers, arrivals applied
//   and duplicates ignored, deliveries, mails, queue depths and dead letters. These are the
//   same from every process that serves them: aggregate them with max(), not sum().
// A scrape costs one stats() read of the warehouse and one stats() call per queue; nothing is
// read on the hot path. Every label value comes from the catalogue or from a fixed list, never
// from what a caller sent: an order for a product the store does not know counts under
// product="other", so made-up ids cannot grow the scrape. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/histogram.h>

#include "common/time.h"
#include "domain/order.h"
#include "domain/timeline.h"
#include "http/metrics.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::api {

class ShopMetrics {
 public:
  // `queues`: the work queues whose depths (and dead-letter queues) are reported.
  ShopMetrics(http::HttpMetrics& metrics, ports::Store& store, ports::Broker* broker,
              std::vector<std::string> queues, const ports::Clock& clock);

  // One committed batch of the sales writer (or one order, per request).
  void record_orders(std::span<const domain::OrderOutcome> outcomes);
  // One factory call: how the factory answered (the `outcome` label) and its duration.
  void record_factory_call(domain::FactoryAnswer answer, Millis latency);
  // Orders this process decided, by outcome over every product ("sold", "out_of_stock", ...).
  std::map<std::string, uint64_t> order_totals() const;

  // The `product` label of an order's outcome: its product when the store decided the order
  // against it, else "other".
  static constexpr std::string_view kOtherProduct = "other";
  static std::string_view product_label(const domain::OrderOutcome& outcome);

 private:
  prometheus::Family<prometheus::Counter>& orders_;
  prometheus::Histogram& batch_size_;
  prometheus::Family<prometheus::Histogram>& factory_calls_;
  mutable std::mutex mutex_;  // guards the series cache and the totals, not the series
  std::map<std::string, uint64_t> totals_;
  std::map<std::pair<std::string, domain::OrderStatus>, prometheus::Counter*, std::less<>>
      order_series_;
};

}  // namespace donut::api
