// Runs a message handler over a queue: receive (long poll) -> handle the batch -> delete the
// messages it finished, delay the ones it wants retried. At-least-once: a message is deleted
// only after its handler reported it done, so a crash at any point means a redelivery, never a
// loss. Handlers must therefore be idempotent.
//
// The handler reports a result per message, like Lambda's ReportBatchItemFailures:
// `MessageResult::ok()` deletes it; `MessageResult::retry(d)` makes it visible again after d
// (the broker counts receives and moves it to the dead-letter queue after maxReceiveCount). A
// retry delay of zero leaves the message to its normal visibility timeout.
//
// Threading: `workers` threads each run their own receive loop. `stop` lets current batches
// finish, then joins. Each thread times its passes (a receive, the batch handled and settled),
// so `longest_pass` tells a stuck consumer from an idle one.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/backoff.h"
#include "common/loop_pass.h"
#include "ports/broker.h"

namespace donut::app {

struct MessageResult {
  bool done = true;
  Millis retry_after{0};
  static MessageResult ok() { return {true, Millis(0)}; }
  static MessageResult retry(Millis after) { return {false, after}; }
};

using BatchHandler = std::function<std::vector<MessageResult>(
    std::span<const ports::ReceivedMessage>, std::stop_token)>;

// For handlers that treat the messages of a batch one by one.
template <class PerMessage>
std::vector<MessageResult> handle_each(std::span<const ports::ReceivedMessage> messages,
                                       PerMessage&& handle_one) {
  std::vector<MessageResult> results;
  results.reserve(messages.size());
  for (const auto& message : messages) results.push_back(handle_one(message));
  return results;
}

// What a consumer does with a handled batch: deletes the finished messages (one batch call) and
// delays the ones to retry. A failure is logged, not returned: a message not deleted is simply
// delivered again. QueueConsumer's threads and the simulator's scheduler both end a batch here.
void settle_batch(ports::Broker& broker, std::string_view queue,
                  std::span<const ports::ReceivedMessage> messages,
                  std::span<const MessageResult> results);

class QueueConsumer {
 public:
  struct Options {
    std::string queue;
    int workers = 1;
    int batch_size = 10;
    Millis wait = std::chrono::seconds(1);
    std::optional<Millis> visibility_timeout;  // default: the queue's
  };

  QueueConsumer(ports::Broker& broker, Options options, BatchHandler handler);
  ~QueueConsumer();
  QueueConsumer(const QueueConsumer&) = delete;
  QueueConsumer& operator=(const QueueConsumer&) = delete;

  void start();
  void stop();
  // How long the longest-running current pass of its threads has run (zero when all are idle).
  Millis longest_pass() const;
  const std::string& queue() const { return options_.queue; }

 private:
  void loop(std::stop_token stop, LoopPass& pass);

  ports::Broker& broker_;
  Options options_;
  BatchHandler handler_;
  std::vector<std::unique_ptr<LoopPass>> passes_;  // one per thread, kept until destruction
  std::vector<std::jthread> threads_;
};

}  // namespace donut::app
