// Broker port on SQLite: the embedded durable broker, in the same file as the warehouse.
//
// Queues, subscriptions and messages are tables (migrations/0002_broker.sql). A receive is one
// transaction that picks visible messages, moves those past `max_receive_count` to the queue's
// dead-letter queue, and hides the rest for the visibility timeout under a fresh receipt.
// Expired messages (retention) are deleted as receives come by.
//
// Long polling: receivers in this process sleep on a condition variable and are woken by
// every send, publish, redrive and visibility change made through this object. Messages sent by
// another process on the same file are noticed within `cross_process_poll`, and messages whose
// visibility timeout runs out are picked up when it does; the receiver never spins.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "adapters/sqlite/database.h"
#include "ports/broker.h"
#include "ports/clock.h"

namespace donut::sqlite {

class SqliteBroker final : public ports::Broker {
 public:
  struct Options {
    Millis cross_process_poll = std::chrono::milliseconds(250);
  };

  SqliteBroker(std::shared_ptr<Database> db, const ports::Clock& clock, Options options);
  SqliteBroker(std::shared_ptr<Database> db, const ports::Clock& clock)
      : SqliteBroker(std::move(db), clock, Options{}) {}

  Status declare(const ports::Topology& topology) override;
  Status publish(std::string_view topic, const ports::OutgoingMessage& message) override;
  Status send(std::string_view queue, const ports::OutgoingMessage& message) override;
  Result<std::vector<ports::ReceivedMessage>> receive(std::string_view queue,
                                                      const ports::ReceiveOptions& options,
                                                      std::stop_token stop) override;
  Status delete_message(std::string_view queue, std::string_view receipt) override;
  Status change_visibility(std::string_view queue, std::string_view receipt,
                           Millis timeout) override;
  Status delete_messages(std::string_view queue, std::span<const std::string> receipts) override;
  Result<ports::QueueStats> stats(std::string_view queue) override;
  Result<std::vector<ports::ReceivedMessage>> peek(std::string_view queue, int max) override;
  Result<int64_t> redrive(std::string_view dead_letter_queue, int64_t max) override;
  Result<int64_t> purge(std::string_view queue) override;

 private:
  struct Attempt {
    std::vector<ports::ReceivedMessage> messages;
    std::optional<TimePoint> next_visible;  // earliest hidden message, when none was ready
  };
  Result<Attempt> try_receive(std::string_view queue, const ports::ReceiveOptions& options);
  void wake_receivers();

  std::shared_ptr<Database> db_;
  const ports::Clock& clock_;
  Options options_;
  std::mutex wake_mutex_;
  std::condition_variable_any wake_;
  uint64_t generation_ = 0;
};

}  // namespace donut::sqlite
