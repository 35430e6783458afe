// Amazon SQS over its JSON protocol (AWS JSON 1.0, `X-Amz-Target: AmazonSQS.<Action>`): the
// calls the AWS broker adapter and the operators' tools need. Queues are named by URL, as in
// the API; requests go to the configured endpoint whatever host the URL names, so queue URLs
// from emulators work unchanged.
//
// Thread-safe. Errors as in aws_caller.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "adapters/aws/aws_caller.h"

namespace donut::aws {

using StringMap = std::map<std::string, std::string, std::less<>>;

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  StringMap attributes;         // message attributes (String values)
  StringMap system_attributes;  // ApproximateReceiveCount, SentTimestamp, ...
};

struct SqsReceive {
  int max_messages = 10;  // 1..10
  int wait_seconds = 0;   // 0..20, long poll
  std::optional<int> visibility_seconds;
};

struct SqsBatchFailure {
  std::size_t index = 0;  // position in the request
  std::string code;
  std::string message;
};

class SqsClient {
 public:
  explicit SqsClient(const AwsCaller& caller) : caller_(caller) {}

  Result<std::string> create_queue(std::string_view name, const StringMap& attributes) const;
  Result<std::string> get_queue_url(std::string_view name) const;
  Result<StringMap> get_queue_attributes(std::string_view queue_url,
                                         std::span<const std::string> names) const;
  Status set_queue_attributes(std::string_view queue_url, const StringMap& attributes) const;
  // Returns the message id.
  Result<std::string> send_message(std::string_view queue_url, std::string_view body,
                                   const StringMap& attributes, int delay_seconds = 0) const;
  Result<std::vector<SqsMessage>> receive_message(std::string_view queue_url,
                                                  const SqsReceive& request,
                                                  std::stop_token stop = {}) const;
  Status delete_message(std::string_view queue_url, std::string_view receipt_handle) const;
  // Up to 10 receipts; the entries SQS could not delete.
  Result<std::vector<SqsBatchFailure>> delete_message_batch(
      std::string_view queue_url, std::span<const std::string> receipt_handles) const;
  Status change_message_visibility(std::string_view queue_url, std::string_view receipt_handle,
                                   int visibility_seconds) const;
  Status purge_queue(std::string_view queue_url) const;
  // Starts moving the messages of a dead-letter queue back to their source queue (or to
  // `destination_arn`). Returns the task handle, or nullopt when the endpoint does not
  // implement the action (local emulators); callers then move messages themselves.
  Result<std::optional<std::string>> start_message_move_task(
      std::string_view source_arn, std::string_view destination_arn = {}) const;

 private:
  Result<std::string> call(std::string_view action, std::string body,
                           AwsErrorDetail* detail = nullptr, Millis long_poll = Millis(0),
                           std::stop_token stop = {}) const;

  const AwsCaller& caller_;
};

}  // namespace donut::aws
