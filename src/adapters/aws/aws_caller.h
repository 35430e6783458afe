// One signed call to an AWS service over HTTPS (libcurl), with the retry policy every client
// shares: throttling, 5xx answers and transport failures are retried with jittered exponential
// backoff up to `AwsConfig::max_attempts`; anything else is returned at once. Under a deadline
// (common/deadline.h: a Lambda invocation's) every attempt is cut to what is left of it, and no
// attempt or retry is started that could not finish: the call is `timeout` instead.
//
// AWS error answers become `Error`s whose code says what the caller can do about it
// (not_found, invalid_argument, unauthorized, forbidden, conflict, rate_limited, unavailable)
// and whose message names the action and AWS's own error code and message. The AWS error code
// itself is also handed back for the few places that branch on it.
//
// Thread-safe: the config is read-only and each thread has its own curl handle.
#pragma once

#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "adapters/aws/aws_config.h"
#include "common/error.h"
#include "ports/clock.h"

namespace donut::aws {

struct AwsRequest {
  Service service = Service::sqs;
  std::string action;  // for error messages: "SQS.ReceiveMessage"
  std::string method = "POST";
  std::string path = "/";
  std::string query;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. X-Amz-Target
  std::string body;
  Millis long_poll{0};  // added to the timeout for calls that wait on purpose
  std::stop_token stop;
  // Throttling is returned at once instead of retried, for a caller that paces itself (SES's
  // sends wait for their next turn instead).
  bool retry_throttling = true;
};

struct AwsErrorDetail {
  std::string code;  // AWS's error code, e.g. "QueueDoesNotExist"; empty for transport errors
  long status = 0;
};

ErrorCode classify_aws_error(std::string_view aws_code, long status);

// Finds AWS's error code and message in an error answer: JSON (`__type`, `message`), XML
// (`<Code>`, `<Message>`) or the x-amzn-ErrorType header.
std::pair<std::string, std::string> parse_aws_error(
    std::string_view body, const std::vector<std::pair<std::string, std::string>>& headers);

// The object of a JSON answer ({} for an empty body); `unavailable` naming `action` otherwise.
Result<boost::json::object> parse_json_answer(std::string_view body, std::string_view action);
// A string member of an answer, or "" when it is absent or not a string (AWS omits empties).
std::string string_member(const boost::json::object& object, std::string_view key);

// The text of the first element named `element` in an XML answer (query-protocol services).
std::optional<std::string> find_xml_text(std::string_view xml, const char* element);

class AwsCaller {
 public:
  AwsCaller(AwsConfig config, const ports::Clock& clock);

  // The body of a 2xx answer.
  Result<std::string> call(const AwsRequest& request, AwsErrorDetail* detail = nullptr) const;

  const AwsConfig& config() const { return config_; }

 private:
  AwsConfig config_;
  const ports::Clock& clock_;
};

}  // namespace donut::aws
