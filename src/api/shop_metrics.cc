#include "api/shop_metrics.h"

#include <algorithm>
#include <limits>
#include <optional>

#include <prometheus/metric_family.h>

#include "app/topology.h"

namespace donut::api {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric gauge(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

ClientMetric counter(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  return m;
}

// The counter families timeline entries are counted in.
struct CountedFamily {
  const char* name;
  const char* help;
  const char* label;  // empty: the family has a single series
};
constexpr CountedFamily kFactoryCalls{
    "donut_factory_calls_total",
    "Factory calls by outcome (accepted, rejected, timeout, unavailable, error), warehouse-wide",
    "outcome"};
constexpr CountedFamily kArrivals{"donut_arrivals_total",
                                  "Factory deliveries applied to the stock, and repeats ignored",
                                  "result"};
constexpr CountedFamily kDeliveries{
    "donut_restock_deliveries_total",
    "Deliveries of factory-request messages to the restock worker, by what they found", "kind"};
constexpr CountedFamily kMails{"donut_notification_mails_total",
                               "Notification e-mails sent about restocks", ""};

// Which family and label value a timeline kind counts as; kinds not listed are not counted.
// Every factory answer's kind counts as a factory call with that answer as its outcome.
struct CountedKind {
  domain::TimelineKind kind;
  const CountedFamily* family;
  std::string_view value;
};
using domain::TimelineKind;
constexpr CountedKind kCountedKinds[] = {
    {TimelineKind::arrived, &kArrivals, "applied"},
    {TimelineKind::duplicate_arrival, &kArrivals, "duplicate"},
    {TimelineKind::delivery, &kDeliveries, "claimed"},
    {TimelineKind::duplicate_delivery, &kDeliveries, "duplicate"},
    {TimelineKind::busy_delivery, &kDeliveries, "busy"},
    {TimelineKind::mail, &kMails, ""},
};

std::optional<CountedKind> counted(TimelineKind kind) {
  if (const auto answer = domain::factory_answer(kind)) {
    return CountedKind{kind, &kFactoryCalls, domain::to_string(*answer)};
  }
  for (const auto& c : kCountedKinds) {
    if (c.kind == kind) return c;
  }
  return std::nullopt;
}

// Reads the warehouse and the queues when the metrics are served.
class WarehouseCollector : public prometheus::Collectable {
 public:
  WarehouseCollector(ports::Store& store, ports::Broker* broker, std::vector<std::string> queues,
                     const ports::Clock& clock)
      : store_(store), broker_(broker), queues_(std::move(queues)), clock_(clock) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    auto stats = store_.stats();
    out.push_back({"donut_warehouse_up",
                   "1 when the warehouse answered this scrape",
                   MetricType::Gauge,
                   {gauge(stats ? 1 : 0)}});
    if (stats) add_warehouse(*stats, out);
    if (broker_ != nullptr) add_queues(out);
    return out;
  }

 private:
  // The replenishment policy per product: which one, its figures as of this scrape, and the
  // orders it could not serve (warehouse-wide).
  static void add_replenishment(const ports::WarehouseStats& stats,
                                std::vector<MetricFamily>& out) {
    MetricFamily policy{"donut_replenishment_policy",
                        "1 for the replenishment policy each product follows",
                        MetricType::Gauge,
                        {}};
    MetricFamily reorder{"donut_reorder_point_units",
                         "Stock at or below which a sale opens a restock (0 under at_zero)",
                         MetricType::Gauge,
                         {}};
    MetricFamily quantity{"donut_order_quantity_units",
                          "Units the next restock will ask the factory for",
                          MetricType::Gauge,
                          {}};
    MetricFamily demand{"donut_demand_rate",
                        "Units asked for per second (sold or refused), weighted to recent demand",
                        MetricType::Gauge,
                        {}};
    MetricFamily lead{"donut_lead_time_estimate_seconds",
                      "Restock lead time the policy plans with (a prior until the first arrival)",
                      MetricType::Gauge,
                      {}};
    MetricFamily lost{"donut_lost_sales_total",
                      "Orders refused for want of stock, warehouse-wide",
                      MetricType::Counter,
                      {}};
    for (const auto& p : stats.products) {
      const std::vector<ClientMetric::Label> product{{"product", p.product_id}};
      const auto& f = p.replenishment;
      policy.metric.push_back(
          gauge(1, {{"product", p.product_id},
                    {"policy", std::string(domain::to_string(p.replenishment_settings.policy))}}));
      reorder.metric.push_back(gauge(static_cast<double>(f.rule.reorder_point), product));
      quantity.metric.push_back(gauge(static_cast<double>(f.rule.order_quantity), product));
      demand.metric.push_back(gauge(f.demand_per_second, product));
      lead.metric.push_back(gauge(std::chrono::duration<double>(f.lead_time).count(), product));
      lost.metric.push_back(counter(static_cast<double>(p.orders_refused), product));
    }
    for (auto* family : {&policy, &reorder, &quantity, &demand, &lead, &lost}) {
      out.push_back(std::move(*family));
    }
  }

  void add_warehouse(const ports::WarehouseStats& stats, std::vector<MetricFamily>& out) const {
    MetricFamily stock{"donut_stock_units", "Units in stock, per product", MetricType::Gauge, {}};
    MetricFamily in_flight{"donut_restocks_in_flight",
                           "Restocks opened and not arrived, per product and state",
                           MetricType::Gauge,
                           {}};
    MetricFamily held{"donut_arrivals_held_total",
                      "Factory deliveries held for the operator (they answered no restock the shop "
                      "waited for), per product",
                      MetricType::Counter,
                      {}};
    MetricFamily waiting{"donut_arrivals_held_waiting",
                         "Held deliveries the operator has neither released nor discarded",
                         MetricType::Gauge,
                         {}};
    for (const auto& p : stats.products) {
      const std::vector<ClientMetric::Label> product{{"product", p.product_id}};
      held.metric.push_back(counter(static_cast<double>(p.arrivals_held), product));
      waiting.metric.push_back(gauge(static_cast<double>(p.arrivals_held_waiting), product));
      stock.metric.push_back(gauge(static_cast<double>(p.stock), product));
      in_flight.metric.push_back(gauge(static_cast<double>(p.restocks_open),
                                       {{"product", p.product_id}, {"state", "open"}}));
      in_flight.metric.push_back(gauge(static_cast<double>(p.restocks_requested),
                                       {{"product", p.product_id}, {"state", "requested"}}));
    }
    out.push_back(std::move(stock));
    out.push_back(std::move(in_flight));
    out.push_back(std::move(held));
    out.push_back(std::move(waiting));
    add_replenishment(stats, out);
    out.push_back({"donut_outbox_pending",
                   "Warehouse events not yet published to the broker",
                   MetricType::Gauge,
                   {gauge(static_cast<double>(stats.outbox_pending))}});
    const double age =
        stats.outbox_oldest_pending
            ? std::max(0.0,
                       std::chrono::duration<double>(clock_.now() - *stats.outbox_oldest_pending)
                           .count())
            : 0.0;
    out.push_back({"donut_outbox_oldest_age_seconds",
                   "Age of the oldest unpublished warehouse event (0 when none)",
                   MetricType::Gauge,
                   {gauge(age)}});

    ClientMetric lead;
    lead.histogram.sample_count = static_cast<uint64_t>(stats.lead_times.count);
    lead.histogram.sample_sum = stats.lead_times.sum_seconds;
    for (std::size_t i = 0; i < std::size(ports::kLeadTimeBounds); ++i) {
      lead.histogram.bucket.push_back(
          {static_cast<uint64_t>(stats.lead_times.cumulative[i]), ports::kLeadTimeBounds[i]});
    }
    lead.histogram.bucket.push_back(
        {static_cast<uint64_t>(stats.lead_times.count), std::numeric_limits<double>::infinity()});
    out.push_back({"donut_restock_lead_time_seconds",
                   "Stock-out to arrival, over every restock that arrived",
                   MetricType::Histogram,
                   {std::move(lead)}});

    std::map<std::string, MetricFamily> families;
    for (const auto& [kind, n] : stats.restock_event_counts) {
      const auto c = counted(kind);
      if (!c) continue;
      const CountedFamily& f = *c->family;
      auto [it, inserted] = families.try_emplace(f.name);
      if (inserted) it->second = {f.name, f.help, MetricType::Counter, {}};
      it->second.metric.push_back(
          *f.label ? counter(static_cast<double>(n), {{f.label, std::string(c->value)}})
                   : counter(static_cast<double>(n)));
    }
    for (auto& [name, family] : families) out.push_back(std::move(family));
  }

  void add_queues(std::vector<MetricFamily>& out) const {
    MetricFamily messages{
        "donut_queue_messages", "Messages per work queue and state", MetricType::Gauge, {}};
    MetricFamily dead{"donut_queue_dead_letters",
                      "Messages in a work queue's dead-letter queue (the operator must look)",
                      MetricType::Gauge,
                      {}};
    bool up = true;
    for (const auto& queue : queues_) {
      auto o = app::queue_overview(*broker_, queue);
      if (!o) {
        up = false;
        continue;
      }
      const auto& s = o->stats;
      messages.metric.push_back(
          gauge(static_cast<double>(s.visible), {{"queue", queue}, {"state", "visible"}}));
      messages.metric.push_back(
          gauge(static_cast<double>(s.in_flight), {{"queue", queue}, {"state", "in_flight"}}));
      messages.metric.push_back(
          gauge(static_cast<double>(s.delayed), {{"queue", queue}, {"state", "delayed"}}));
      if (!s.dead_letter_queue.empty()) {
        dead.metric.push_back(gauge(static_cast<double>(o->dead_letters), {{"queue", queue}}));
      }
    }
    out.push_back({"donut_broker_up",
                   "1 when every queue's figures were read this scrape",
                   MetricType::Gauge,
                   {gauge(up ? 1 : 0)}});
    out.push_back(std::move(messages));
    out.push_back(std::move(dead));
  }

  ports::Store& store_;
  ports::Broker* broker_;
  std::vector<std::string> queues_;
  const ports::Clock& clock_;
};

}  // namespace

ShopMetrics::ShopMetrics(http::HttpMetrics& metrics, ports::Store& store, ports::Broker* broker,
                         std::vector<std::string> queues, const ports::Clock& clock)
    : orders_(prometheus::BuildCounter()
                  .Name("donut_orders_total")
                  .Help("Orders this process decided, by product and outcome")
                  .Register(metrics.registry())),
      batch_size_(prometheus::BuildHistogram()
                      .Name("donut_order_batch_size")
                      .Help("Orders decided per store transaction (group commit)")
                      .Register(metrics.registry())
                      .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128,
                                                                       256, 512, 1024})),
      factory_calls_(prometheus::BuildHistogram()
                         .Name("donut_factory_call_duration_seconds")
                         .Help("Factory calls made by this process's restock worker, by outcome")
                         .Register(metrics.registry())) {
  metrics.add_collectable(
      std::make_shared<WarehouseCollector>(store, broker, std::move(queues), clock));
}

std::string_view ShopMetrics::product_label(const domain::OrderOutcome& outcome) {
  // Only an order the store decided against a product names it: the product exists, so the
  // label is one of the catalogue's ids. Ids the caller made up share one series.
  const bool in_catalogue = outcome.status == domain::OrderStatus::sold ||
                            outcome.status == domain::OrderStatus::out_of_stock;
  return in_catalogue ? std::string_view(outcome.product_id) : kOtherProduct;
}

void ShopMetrics::record_orders(std::span<const domain::OrderOutcome> outcomes) {
  if (outcomes.empty()) return;
  batch_size_.Observe(static_cast<double>(outcomes.size()));
  // Usually one or a few products per batch: count them first, then touch each series once.
  std::vector<std::pair<const domain::OrderOutcome*, int>> counted;
  for (const auto& o : outcomes) {
    auto it = std::find_if(counted.begin(), counted.end(), [&](const auto& c) {
      return product_label(*c.first) == product_label(o) && c.first->status == o.status;
    });
    if (it == counted.end()) {
      counted.emplace_back(&o, 1);
    } else {
      ++it->second;
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& [o, n] : counted) {
    auto key = std::make_pair(std::string(product_label(*o)), o->status);
    auto it = order_series_.find(key);
    if (it == order_series_.end()) {
      auto& series = orders_.Add(
          {{"product", key.first}, {"outcome", std::string(domain::to_string(o->status))}});
      it = order_series_.emplace(std::move(key), &series).first;
    }
    it->second->Increment(n);
    totals_[std::string(domain::to_string(o->status))] += static_cast<uint64_t>(n);
  }
}

std::map<std::string, uint64_t> ShopMetrics::order_totals() const {
  std::lock_guard lock(mutex_);
  return totals_;
}

void ShopMetrics::record_factory_call(domain::FactoryAnswer answer, Millis latency) {
  factory_calls_
      .Add(
          {{"outcome", std::string(domain::to_string(answer))}},
          prometheus::Histogram::BucketBoundaries{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
      .Observe(std::chrono::duration<double>(latency).count());
}

}  // namespace donut::api
