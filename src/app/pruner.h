// Retention: deletes what the warehouse no longer needs, each kind after its own window, so its
// tables stop growing with the history (the running totals of stats() are kept).
//
// Paced so that it never stalls sales: each batch is its own short transaction of at most
// `batch` rows, with a pause between batches; a pass ends when a batch finds fewer rows due, or
// when less than `batch_budget` is left before the thread's deadline (common/deadline.h: a
// Lambda invocation's), the rest then waiting for the next pass.
//
// Exactly-once is not traded for space. An arrival's row (its request id) is what makes a
// redelivered arrival a no-op, so arrivals are kept longer than any message naming them can
// live: a queue keeps a message for its retention (4 days, ports/broker.h), its dead-letter queue
// for as long again, and an operator's redrive starts a new stay in the queue. `validate` refuses
// an arrivals window shorter than those three stays with a day to spare (kMinimumArrivalWindow).
// Restocks are never pruned, and the state of each (arrived, with its time) stays, so a message
// redelivered after its arrival's row went finds its restock arrived with that very request
// (the request id is the restock's) and is a duplicate, not applied and not held.
// Held arrivals are never pruned: each waits for the operator's decision (ports::Retained has no
// kind for them). Idempotency keys: a retry after the key's window is a new order (the API
// description says so).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/error.h"
#include "common/loop_pass.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::app {

struct RetentionWindows {
  std::chrono::seconds idempotency_keys = std::chrono::hours(24);
  std::chrono::seconds published_outbox = std::chrono::hours(24 * 7);
  std::chrono::seconds timeline_entries = std::chrono::hours(24 * 30);
  std::chrono::seconds arrivals = std::chrono::hours(24 * 30);
};

// Each window with the environment variable that sets it in hours: `donut relay`'s options and
// the Lambda relay read the same names from this one list.
struct RetentionSetting {
  const char* env;
  std::chrono::seconds RetentionWindows::*window;
};
inline constexpr RetentionSetting kRetentionSettings[] = {
    {"DONUT_KEEP_IDEMPOTENCY_KEYS_HOURS", &RetentionWindows::idempotency_keys},
    {"DONUT_KEEP_PUBLISHED_OUTBOX_HOURS", &RetentionWindows::published_outbox},
    {"DONUT_KEEP_TIMELINES_HOURS", &RetentionWindows::timeline_entries},
    {"DONUT_KEEP_ARRIVALS_HOURS", &RetentionWindows::arrivals}};

// Three stays of a message in a queue (queue, dead-letter queue, redriven queue), and a day.
inline constexpr std::chrono::seconds kMinimumArrivalWindow =
    3 * ports::kDefaultRetention + std::chrono::hours(24);

// invalid_argument naming the window that is too short. `minimum_arrivals`: where queues keep
// messages longer than the embedded broker and RabbitMQ do (SQS, below), the longer minimum.
Status validate(const RetentionWindows& windows,
                std::chrono::seconds minimum_arrivals = kMinimumArrivalWindow);

// On AWS (deploy/aws/messaging.tf) a work queue keeps a message 4 days and its dead-letter queue
// 14: a message can live 4 + 14 + 4 days, and a day to spare.
inline constexpr std::chrono::seconds kSqsMinimumArrivalWindow = std::chrono::hours(24 * 23);

class Pruner {
 public:
  struct Options {
    RetentionWindows windows;
    std::size_t batch = 500;
    Millis pause = Millis(20);            // between two batches
    Millis interval = Millis(60'000);     // between two passes
    Millis batch_budget = Millis(2'000);  // no batch is begun with less left before a deadline
  };
  // What one pass deleted.
  struct Pass {
    int64_t idempotency_keys = 0, published_outbox = 0, timeline_entries = 0, arrivals = 0;
    bool cut_short = false;  // the deadline came first: rows past their windows may remain
  };

  Pruner(ports::Store& store, const ports::Clock& clock, Options options);
  ~Pruner();
  void start();
  void stop();
  // Prunes everything due now, batch by batch (paced), and says what went.
  Result<Pass> prune_due();
  // How long the loop's current pass has run (zero between passes).
  Millis pass_running_for() const { return pass_.running_for(); }

 private:
  Result<int64_t> prune_kind(ports::Retained what, std::chrono::seconds window, TimePoint now,
                             bool& cut_short);

  ports::Store& store_;
  const ports::Clock& clock_;
  Options options_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool stopping_ = false;  // under mutex_: a pass ends at its next pause
  LoopPass pass_;
  std::jthread thread_;
};

}  // namespace donut::app
