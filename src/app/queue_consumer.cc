#include "app/queue_consumer.h"

#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "common/stoppable_sleep.h"
#include "common/thread_name.h"

namespace donut::app {

QueueConsumer::QueueConsumer(ports::Broker& broker, Options options, BatchHandler handler)
    : broker_(broker), options_(std::move(options)), handler_(std::move(handler)) {}

QueueConsumer::~QueueConsumer() {
  stop();
}

void QueueConsumer::start() {
  passes_.clear();
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    passes_.push_back(std::make_unique<LoopPass>());
    threads_.emplace_back([this, pass = passes_.back().get()](std::stop_token stop) {
      name_this_thread(options_.queue);
      loop(stop, *pass);
    });
  }
}

void QueueConsumer::stop() {
  for (auto& thread : threads_) thread.request_stop();
  threads_.clear();  // joins
}

Millis QueueConsumer::longest_pass() const {
  Millis longest{0};
  for (const auto& pass : passes_) longest = std::max(longest, pass->running_for());
  return longest;
}

void QueueConsumer::loop(std::stop_token stop, LoopPass& pass) {
  ports::ReceiveOptions receive;
  receive.max_messages = options_.batch_size;
  receive.wait = options_.wait;
  receive.visibility_timeout = options_.visibility_timeout;
  int failures = 0;
  while (!stop.stop_requested()) {
    const auto timing = pass.time();
    auto messages = broker_.receive(options_.queue, receive, stop);
    if (!messages) {
      ++failures;
      spdlog::warn("{}: receive failed: {}", options_.queue, messages.error().message);
      sleep_unless_stopped(backoff_delay(failures, kLoopRetryBase, kLoopRetryCap), stop);
      continue;
    }
    failures = 0;
    if (messages->empty()) continue;
    const auto results = handler_(*messages, stop);
    settle_batch(broker_, options_.queue, *messages, results);
  }
}

void settle_batch(ports::Broker& broker, std::string_view queue,
                  std::span<const ports::ReceivedMessage> messages,
                  std::span<const MessageResult> results) {
  std::vector<std::string> finished;
  DONUT_ASSERT(results.size() <= messages.size(), "a handler answers only the messages it got");
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& message = messages[i];
    const MessageResult result = i < results.size() ? results[i] : MessageResult::retry(Millis(0));
    if (result.done) {
      finished.push_back(message.receipt);
    } else if (result.retry_after.count() > 0) {
      if (auto status = broker.change_visibility(queue, message.receipt, result.retry_after);
          !status) {
        spdlog::debug("{}: could not delay message {}: {}", queue, message.message_id,
                      status.error().message);
      }
    }
  }
  if (auto status = broker.delete_messages(queue, finished); !status) {
    spdlog::warn("{}: delete failed (messages will be redelivered): {}", queue,
                 status.error().message);
  }
}

}  // namespace donut::app
