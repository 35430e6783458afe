// Broker port: topics and queues with the semantics of Amazon SQS/SNS, the same on every
// engine (embedded SQLite, AWS, RabbitMQ), so handlers never know which one they run on.
//
// - A topic fans a published message out to every subscribed queue whose filter accepts the
//   message's `type` attribute (no filter: everything).
// - A received message is invisible to other receivers for the visibility timeout; it comes
//   back if not deleted in time (at-least-once). Each receive increments `receive_count`.
// - A queue with a redrive policy moves a message to its dead-letter queue when it would be
//   received more than `max_receive_count` times. `redrive` moves it back to its source; on a
//   queue no declared queue dead-letters into it is `not_found` (see no_source_queue).
// - `receive` with a wait long-polls: it returns as soon as a message is available, after
//   `wait` at the latest, or when `stop` is requested, without busy-waiting.
// - Deleting with a receipt from an earlier receive of a message that was received again
//   since is a successful no-op (as on SQS): only the latest receiver may delete.
// - No ordering is promised between messages.
// Thread-safe. Checked by tests/contract/broker_contract_test.cc.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/time.h"

namespace donut::ports {

using Attributes = std::map<std::string, std::string, std::less<>>;

// The attribute subscriptions filter on.
inline constexpr std::string_view kTypeAttribute = "type";

// Every queue's settings unless its declaration says otherwise; the hosts' options and the
// pipeline's topology (app/topology.h) start from these too. SQS's defaults, except the
// retention: 4 days, as SQS's, but stated, since engines without a default need one.
inline constexpr Millis kDefaultVisibilityTimeout = std::chrono::seconds(30);
inline constexpr std::chrono::seconds kDefaultRetention = std::chrono::hours(24 * 4);
inline constexpr int kDefaultMaxReceiveCount = 5;

struct QueueSpec {
  std::string name;
  Millis visibility_timeout = kDefaultVisibilityTimeout;
  std::chrono::seconds retention = kDefaultRetention;
  // Redrive policy: empty dead_letter_queue means none.
  std::string dead_letter_queue;
  int max_receive_count = kDefaultMaxReceiveCount;
};

struct Subscription {
  std::string topic;
  std::string queue;
  std::vector<std::string> types;  // accepted `type` attribute values; empty: all

  // Whether a message published to `topic` with these attributes goes to `queue`: every
  // engine that fans out by itself (memory, SQLite, the simulator's bookkeeping) asks this.
  bool accepts(const Attributes& attributes) const {
    if (types.empty()) return true;
    const auto type = attributes.find(kTypeAttribute);
    return type != attributes.end() &&
           std::find(types.begin(), types.end(), type->second) != types.end();
  }
};

struct Topology {
  std::vector<QueueSpec> queues;  // dead-letter queues are listed as queues too
  std::vector<Subscription> subscriptions;
};

struct OutgoingMessage {
  std::string body;
  Attributes attributes;
  Millis delay{0};
};

struct ReceivedMessage {
  std::string message_id;
  std::string receipt;  // pass back to delete / change visibility
  std::string body;
  Attributes attributes;
  int receive_count = 0;
  TimePoint sent_at{};
  std::string source_queue;  // for messages in a dead-letter queue: where they came from
};

struct ReceiveOptions {
  int max_messages = 10;
  Millis wait{0};
  std::optional<Millis> visibility_timeout;  // default: the queue's
};

struct QueueStats {
  std::string queue;
  int64_t visible = 0;    // ready to be received
  int64_t in_flight = 0;  // received, not yet deleted, still invisible
  int64_t delayed = 0;    // sent with a delay not yet elapsed
  std::string dead_letter_queue;
};

// The error every engine answers `redrive` with on a queue that is no dead-letter queue.
inline Error no_source_queue(std::string_view queue) {
  return {ErrorCode::not_found, "no declared queue dead-letters into " + std::string(queue)};
}

class Broker {
 public:
  virtual ~Broker() = default;

  // Creates queues and subscriptions that do not exist yet and updates the settings of those
  // that do. Idempotent.
  virtual Status declare(const Topology& topology) = 0;

  virtual Status publish(std::string_view topic, const OutgoingMessage& message) = 0;
  virtual Status send(std::string_view queue, const OutgoingMessage& message) = 0;
  virtual Result<std::vector<ReceivedMessage>> receive(std::string_view queue,
                                                       const ReceiveOptions& options,
                                                       std::stop_token stop = {}) = 0;
  virtual Status delete_message(std::string_view queue, std::string_view receipt) = 0;
  virtual Status change_visibility(std::string_view queue, std::string_view receipt,
                                   Millis timeout) = 0;
  // Deletes several messages; engines with a batch call override this. Stops at the first
  // error, so a caller may retry the whole list (deleting twice is harmless).
  virtual Status delete_messages(std::string_view queue, std::span<const std::string> receipts) {
    for (const auto& receipt : receipts) {
      if (auto status = delete_message(queue, receipt); !status) return status;
    }
    return ok();
  }

  virtual Result<QueueStats> stats(std::string_view queue) = 0;
  // Looks at up to `max` messages without receiving them (for DLQ listing).
  virtual Result<std::vector<ReceivedMessage>> peek(std::string_view queue, int max) = 0;
  // Moves up to `max` messages of a dead-letter queue back to their source queues; returns how
  // many moved.
  virtual Result<int64_t> redrive(std::string_view dead_letter_queue, int64_t max) = 0;
  virtual Result<int64_t> purge(std::string_view queue) = 0;

  // Whether the broker can be reached now (for /readyz): `unavailable` while a connection-based
  // engine is down or reconnecting. Engines without a standing connection are always ready.
  virtual Status ping() { return ok(); }
};

}  // namespace donut::ports
