// Broker port on RabbitMQ (rabbitmq-c, AMQP 0-9-1), for roles on several machines.
//
// Mapping (docs/ARCHITECTURE.md, "Queue semantics"): a topic is a durable topic exchange and a
// subscription a binding keyed by the message `type` ("#" for every type); a queue is a quorum
// queue whose dead-letter queue is reached through x-delivery-limit and an at-least-once
// dead-letter policy; a delayed send or retry waits in `<queue>.retry` (per-message TTL,
// dead-lettered back into the queue); messages are persistent and every publish waits for the
// broker's confirm. The connections are amqp_connection.h's, the URL cluster_url.h's.
//
// Where AMQP differs from SQS, and what this adapter does about it:
// - There is no visibility timeout: a delivered message belongs to its consumer until it is
//   acknowledged, or its connection dies (then RabbitMQ redelivers it). The adapter returns
//   messages its own consumer left unsettled for longer than the queue's visibility timeout at
//   the next receive, so a forgotten message comes back as on SQS; a slow handler keeps its
//   message (no duplicate delivery while it works).
// - A receipt is a delivery tag and is valid on the thread that received the message (each
//   thread has its own connections); settling an unknown or stale receipt is a no-op.
// - `receive_count` is RabbitMQ's x-delivery-count plus the retries counted across `.retry`
//   round trips; past max_receive_count the adapter moves the message to the dead-letter queue
//   itself, and RabbitMQ's delivery limit catches crashes.
// - `stats.in_flight` is not visible over AMQP and is reported as 0.
// - A queue's arguments are fixed when it is created. `declare` on an existing queue with other
//   settings keeps the queue as it is and logs a warning; the adapter's own receive count
//   applies the new max_receive_count, RabbitMQ's delivery limit (the crash backstop) keeps the
//   old one.
// Errors: a lost connection is `unavailable` and is reopened on a later call. No call waits for
// the broker longer than a few seconds (a paused broker, a blocked publisher). Reconnection
// backs off (100 ms doubling to 5 s, shared by every thread of the process): while the broker
// is down, calls fail at once with `unavailable` instead of each waiting for a connect, and
// the log says once that the broker was lost and once that it is back (amqp_connection.h).
// Time: when a message was sent and how long a consumer has held one come from the Clock
// port; only the long poll's wait on the socket is measured in real time.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/rabbitmq/cluster_url.h"
#include "ports/broker.h"
#include "ports/clock.h"

namespace donut::rabbitmq {

class ClusterConnector;

class RabbitBroker final : public ports::Broker {
 public:
  RabbitBroker(Settings settings, const ports::Clock& clock);
  ~RabbitBroker() override;

  Status declare(const ports::Topology& topology) override;
  Status publish(std::string_view topic, const ports::OutgoingMessage& message) override;
  Status send(std::string_view queue, const ports::OutgoingMessage& message) override;
  Result<std::vector<ports::ReceivedMessage>> receive(std::string_view queue,
                                                      const ports::ReceiveOptions& options,
                                                      std::stop_token stop) override;
  Status delete_message(std::string_view queue, std::string_view receipt) override;
  Status change_visibility(std::string_view queue, std::string_view receipt,
                           Millis timeout) override;
  Result<ports::QueueStats> stats(std::string_view queue) override;
  Result<std::vector<ports::ReceivedMessage>> peek(std::string_view queue, int max) override;
  Result<int64_t> redrive(std::string_view dead_letter_queue, int64_t max) override;
  Result<int64_t> purge(std::string_view queue) override;

  struct Session;   // one thread's connections (internal)
  struct Consumer;  // one queue's consumer on one thread (internal)

 private:
  Status ping() override;

  Result<Session*> session();
  Result<Consumer*> consumer(Session& session, std::string_view queue, int prefetch);
  ports::QueueSpec spec_of(std::string_view queue);
  int64_t now_ms() const;

  std::unique_ptr<ClusterConnector> cluster_;  // shared by every thread's connections
  const ports::Clock& clock_;
  std::mutex specs_mutex_;
  std::map<std::string, ports::QueueSpec, std::less<>> specs_;  // from declare()
  const uint64_t id_;
};

}  // namespace donut::rabbitmq
