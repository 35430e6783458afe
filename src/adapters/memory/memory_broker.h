// Broker port in memory: the fake used by handler tests, with the same semantics as the
// embedded and cloud brokers (see ports/broker.h) and time taken from a Clock, so visibility
// timeouts and redrive policies can be tested by moving a ManualClock instead of sleeping.
// Thread-safe; long polling waits on a condition variable.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>

#include "ports/broker.h"
#include "ports/clock.h"

namespace donut::memory {

class MemoryBroker : public ports::Broker {  // tests may wrap it to inject faults
 public:
  explicit MemoryBroker(const ports::Clock& clock) : clock_(clock) {}

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

 private:
  struct Stored {
    ports::ReceivedMessage message;  // receipt: the latest one
    TimePoint visible_at{};
    TimePoint expires_at{};
  };
  struct Queue {
    ports::QueueSpec spec;
    std::map<uint64_t, Stored> messages;  // by arrival sequence
  };
  Result<Queue*> find(std::string_view name);
  void enqueue(Queue& queue, const ports::OutgoingMessage& message, TimePoint now);
  std::vector<ports::ReceivedMessage> take_visible(Queue& queue,
                                                   const ports::ReceiveOptions& options,
                                                   TimePoint now);

  const ports::Clock& clock_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::map<std::string, Queue, std::less<>> queues_;
  std::vector<ports::Subscription> subscriptions_;
  uint64_t next_seq_ = 1;
  uint64_t generation_ = 0;  // bumped on every change a receiver may be waiting for
};

}  // namespace donut::memory
