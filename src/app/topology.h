// The queues and subscriptions of the restock pipeline (docs/ARCHITECTURE.md, "The flow"):
//
//   topic stock-events --(type = stock.empty)--> factory-requests (+ factory-requests-dlq)
//                      --(every event)---------> notifications    (+ notifications-dlq)
//   arrival intake ---------------------------> stock-arrivals   (+ stock-arrivals-dlq)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ports/broker.h"

namespace donut::app {

inline constexpr std::string_view kFactoryRequestsQueue = "factory-requests";
inline constexpr std::string_view kNotificationsQueue = "notifications";
inline constexpr std::string_view kStockArrivalsQueue = "stock-arrivals";
inline constexpr std::string_view kDeadLetterSuffix = "-dlq";

// The pipeline's queue settings; the defaults are the port's (ports/broker.h), but for the
// dead-letter queues, which keep their messages for SQS's longest retention, 14 days.
struct TopologySettings {
  Millis visibility_timeout = ports::kDefaultVisibilityTimeout;
  int max_receive_count = ports::kDefaultMaxReceiveCount;
  std::chrono::seconds retention = ports::kDefaultRetention;
  std::chrono::seconds dead_letter_retention = std::chrono::hours(24 * 14);
};

ports::Topology pipeline_topology(const TopologySettings& settings);

// The work queues (not their dead-letter queues), in pipeline order.
std::vector<std::string> work_queues();
std::string dead_letter_queue_of(std::string_view queue);

// A queue's figures and the messages waiting in its dead-letter queue (0 when it has none):
// what `donut queues`, GET /admin/queues and the metrics show per work queue.
struct QueueOverview {
  ports::QueueStats stats;
  int64_t dead_letters = 0;
};
Result<QueueOverview> queue_overview(ports::Broker& broker, std::string_view queue);

}  // namespace donut::app
