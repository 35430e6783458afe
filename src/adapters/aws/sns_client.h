// Amazon SNS over its query protocol (form-encoded `Action=...`, XML answers): creating the
// topic and its SQS subscriptions where Donut-States manages them itself (emulators, test
// accounts), and publishing events. Message attributes are sent as String attributes, so a
// subscription's filter policy can match on them and raw delivery carries them to SQS.
//
// Thread-safe. Errors as in aws_caller.h.
#pragma once

#include <string>
#include <string_view>

#include "adapters/aws/aws_caller.h"
#include "adapters/aws/sqs_client.h"

namespace donut::aws {

class SnsClient {
 public:
  explicit SnsClient(const AwsCaller& caller) : caller_(caller) {}

  // Idempotent: returns the ARN of the topic of that name, creating it if needed.
  Result<std::string> create_topic(std::string_view name) const;
  // Idempotent for the same topic, endpoint and attributes; returns the subscription ARN.
  Result<std::string> subscribe(std::string_view topic_arn, std::string_view protocol,
                                std::string_view endpoint, const StringMap& attributes) const;
  // Returns the message id.
  Result<std::string> publish(std::string_view topic_arn, std::string_view message,
                              const StringMap& attributes) const;

 private:
  using Form = std::vector<std::pair<std::string, std::string>>;
  // The text of the first `<result_element>` in the answer.
  Result<std::string> call(std::string_view action, Form form, const char* result_element) const;

  const AwsCaller& caller_;
};

}  // namespace donut::aws
