#include "adapters/aws/aws_caller.h"

#include <algorithm>
#include <array>
#include <tinyxml2.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/http_client.h"
#include "codec/json_fields.h"
#include "common/backoff.h"
#include "common/deadline.h"
#include "common/stoppable_sleep.h"

namespace donut::aws {
namespace {

bool is_one_of(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

const tinyxml2::XMLElement* find_element(const tinyxml2::XMLElement* element, const char* name) {
  for (; element != nullptr; element = element->NextSiblingElement()) {
    if (std::string_view(element->Name()) == name) return element;
    if (auto* found = find_element(element->FirstChildElement(), name)) return found;
  }
  return nullptr;
}

// Less than this left before the deadline, an attempt is not started: it could not finish.
constexpr Millis kShortestAttempt{300};

struct Endpoint {
  std::string base;  // scheme://host[:port] plus any path prefix, no trailing slash
  std::string host;  // Host header value
};

Result<Endpoint> parse_endpoint(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return make_error(ErrorCode::invalid_argument, "bad AWS endpoint URL: " + url);
  Endpoint endpoint;
  endpoint.host = std::string(parsed->encoded_host_and_port());
  endpoint.base = url;
  while (!endpoint.base.empty() && endpoint.base.back() == '/') endpoint.base.pop_back();
  return endpoint;
}

}  // namespace

ErrorCode classify_aws_error(std::string_view code, long status) {
  if (is_one_of(code,
                {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
                 "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
                 "SlowDown", "KMSThrottlingException", "LimitExceededException",
                 // A KMS-encrypted topic or queue throttled by KMS (SNS, SQS), and SQS's cap on
                 // messages in flight: each passes, so each is retried with backoff.
                 "KMSThrottling", "KmsThrottled", "KMS.ThrottlingException", "OverLimit",
                 "AWS.SimpleQueueService.OverLimit"}) ||
      status == 429) {
    return ErrorCode::rate_limited;
  }
  if (is_one_of(code, {"InternalError", "InternalFailure", "ServiceUnavailable",
                       "InternalErrorException"}) ||
      status >= 500) {
    return ErrorCode::unavailable;
  }
  if (is_one_of(code, {"QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "NotFound",
                       "NotFoundException", "ResourceNotFoundException", "ReceiptHandleIsInvalid",
                       "MessageNotInflight"}) ||
      status == 404) {
    return ErrorCode::not_found;
  }
  if (is_one_of(code,
                {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch",
                 "IncompleteSignature", "IncompleteSignatureException",
                 "MissingAuthenticationToken", "MissingAuthenticationTokenException",
                 "ExpiredToken", "ExpiredTokenException", "InvalidSignatureException"}) ||
      status == 401) {
    return ErrorCode::unauthorized;
  }
  // IAM, and the KMS key of an encrypted topic, queue or secret refusing the caller.
  if (is_one_of(code, {"AccessDenied", "AccessDeniedException", "AuthorizationError",
                       "KMSAccessDenied", "KMS.AccessDeniedException", "KmsAccessDenied",
                       "MessageRejected", "MailFromDomainNotVerifiedException"}) ||
      status == 403) {
    return ErrorCode::forbidden;
  }
  if (is_one_of(code, {"QueueAlreadyExists", "QueueNameExists", "AlreadyExistsException",
                       "ResourceExistsException", "ConcurrentModificationException",
                       "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress"}) ||
      status == 409) {
    return ErrorCode::conflict;
  }
  if (is_one_of(code, {"RequestEntityTooLarge", "AWS.SimpleQueueService.BatchRequestTooLong"}) ||
      status == 413) {
    return ErrorCode::too_large;
  }
  return ErrorCode::invalid_argument;
}

std::pair<std::string, std::string> parse_aws_error(
    std::string_view body, const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string code;
  std::string message;
  if (!body.empty() && body.front() == '{') {
    auto value = codec::parse_json(body);
    if (value && value->is_object()) {
      const auto& object = value->as_object();
      for (const char* key : {"__type", "code", "Code"}) {
        if (auto* v = object.if_contains(key); v != nullptr && v->is_string()) {
          code = std::string(v->as_string());
          break;
        }
      }
      for (const char* key : {"message", "Message"}) {
        if (auto* v = object.if_contains(key); v != nullptr && v->is_string()) {
          message = std::string(v->as_string());
          break;
        }
      }
    }
  } else if (!body.empty() && body.front() == '<') {
    code = find_xml_text(body, "Code").value_or("");
    message = find_xml_text(body, "Message").value_or("");
  }
  if (code.empty()) {
    for (const auto& [name, value] : headers) {
      if (name == "x-amzn-errortype") code = value;
    }
  }
  // "com.amazonaws.sqs#QueueDoesNotExist", "NotFoundException:http://internal.amazon.com/..."
  if (auto hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  if (auto colon = code.find(':'); colon != std::string::npos) code.erase(colon);
  return {code, message};
}

Result<boost::json::object> parse_json_answer(std::string_view body, std::string_view action) {
  if (body.empty()) return boost::json::object{};
  auto value = codec::parse_json(body);  // depth-limited, like every JSON the project reads
  if (!value || !value->is_object()) {
    return make_error(ErrorCode::unavailable,
                      std::string(action) + ": answer is not a JSON object");
  }
  return std::move(value->as_object());
}

std::string string_member(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::optional<std::string> find_xml_text(std::string_view xml, const char* element) {
  tinyxml2::XMLDocument document;
  if (document.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) return std::nullopt;
  auto* found = find_element(document.RootElement(), element);
  if (found == nullptr || found->GetText() == nullptr) return std::nullopt;
  return std::string(found->GetText());
}

AwsCaller::AwsCaller(AwsConfig config, const ports::Clock& clock)
    : config_(std::move(config)), clock_(clock) {}

Result<std::string> AwsCaller::call(const AwsRequest& request, AwsErrorDetail* detail) const {
  auto endpoint = parse_endpoint(config_.endpoint_for(request.service));
  if (!endpoint) return endpoint.error();
  const std::string what = request.action.empty() ? request.path : request.action;

  for (int attempt = 1;; ++attempt) {
    // Under a deadline (a Lambda invocation), each attempt gets only what is left of it, and an
    // attempt that could not finish is not started.
    const Millis timeout = bounded_by_deadline(config_.timeout + request.long_poll);
    if (timeout < kShortestAttempt) {
      if (detail != nullptr) *detail = {};
      return make_error(ErrorCode::timeout, what + ": not attempted, " +
                                                std::to_string(timeout.count()) +
                                                " ms left before the deadline");
    }
    sigv4::HttpRequestToSign to_sign;
    to_sign.method = request.method;
    to_sign.path = request.path;
    to_sign.query = request.query;
    to_sign.body = request.body;
    to_sign.headers.emplace_back("Host", endpoint->host);
    if (!request.content_type.empty())
      to_sign.headers.emplace_back("Content-Type", request.content_type);
    for (const auto& header : request.headers) to_sign.headers.push_back(header);
    sigv4::add_signature(to_sign, config_.credentials, config_.region,
                         signing_name(request.service), clock_.now());

    http_client::Request http;
    http.method = request.method;
    http.url = endpoint->base + request.path + (request.query.empty() ? "" : "?" + request.query);
    http.body = request.body;
    http.timeout = timeout;
    http.stop = request.stop;
    http.headers = std::move(to_sign.headers);  // exactly the signed headers

    Error error;
    std::string aws_code;
    long status = 0;
    auto response = http_client::perform(http);
    if (!response) {
      error = response.error();
    } else if (response->status >= 200 && response->status < 300) {
      return std::move(response->body);
    } else {
      status = response->status;
      auto [code, message] = parse_aws_error(response->body, response->headers);
      aws_code = code;
      error = make_error(classify_aws_error(code, status),
                         what + ": " + (code.empty() ? "HTTP " + std::to_string(status) : code) +
                             (message.empty() ? "" : ": " + message));
    }
    const Millis delay = backoff_delay(attempt, config_.backoff_base, config_.backoff_cap);
    const bool retry = is_transient(error.code) && attempt < config_.max_attempts &&
                       (request.retry_throttling || error.code != ErrorCode::rate_limited) &&
                       !request.stop.stop_requested() &&
                       bounded_by_deadline(delay + kShortestAttempt) == delay + kShortestAttempt;
    if (!retry) {
      if (detail != nullptr) *detail = {aws_code, status};
      return error;
    }
    spdlog::debug("aws: {} failed ({}), attempt {} of {}", what, error.message, attempt,
                  config_.max_attempts);
    sleep_unless_stopped(delay, request.stop);
  }
}

}  // namespace donut::aws
