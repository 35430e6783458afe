#include "app/topology.h"

#include "domain/events.h"

namespace donut::app {

std::string dead_letter_queue_of(std::string_view queue) {
  return std::string(queue) + std::string(kDeadLetterSuffix);
}

std::vector<std::string> work_queues() {
  return {std::string(kFactoryRequestsQueue), std::string(kNotificationsQueue),
          std::string(kStockArrivalsQueue)};
}

ports::Topology pipeline_topology(const TopologySettings& settings) {
  ports::Topology topology;
  for (const auto& queue : work_queues()) {
    ports::QueueSpec dlq;
    dlq.name = dead_letter_queue_of(queue);
    dlq.visibility_timeout = settings.visibility_timeout;
    dlq.retention = settings.dead_letter_retention;
    topology.queues.push_back(dlq);

    ports::QueueSpec work;
    work.name = queue;
    work.visibility_timeout = settings.visibility_timeout;
    work.retention = settings.retention;
    work.dead_letter_queue = dlq.name;
    work.max_receive_count = settings.max_receive_count;
    topology.queues.push_back(work);
  }
  const std::string topic(domain::kStockEventsTopic);
  topology.subscriptions.push_back(
      {topic, std::string(kFactoryRequestsQueue), {std::string(domain::kStockEmptyType)}});
  topology.subscriptions.push_back({topic, std::string(kNotificationsQueue), {}});
  return topology;
}

Result<QueueOverview> queue_overview(ports::Broker& broker, std::string_view queue) {
  QueueOverview overview;
  DONUT_ASSIGN_OR_RETURN(overview.stats, broker.stats(queue));
  if (!overview.stats.dead_letter_queue.empty()) {
    DONUT_ASSIGN_OR_RETURN(auto dead, broker.stats(overview.stats.dead_letter_queue));
    overview.dead_letters = dead.visible + dead.in_flight + dead.delayed;
  }
  return overview;
}

}  // namespace donut::app
