#include "hosts/lambda/events.h"

#include <charconv>

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "common/crypto.h"

namespace donut::lambda {
namespace json = boost::json;

namespace {

const json::object* object_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::string string_at(const json::object* o, std::string_view key) {
  if (o == nullptr) return {};
  const auto* v = o->if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

Result<http::Request> decode_http_api_event(std::string_view event) {
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(event));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, codec::as_object(value, "API Gateway event"));
  const auto* context = object_at(*o, "requestContext");
  const auto* http_context = context ? object_at(*context, "http") : nullptr;
  http::Request request;
  request.method = string_at(http_context, "method");
  request.path = string_at(o, "rawPath");
  request.query = string_at(o, "rawQueryString");
  request.remote_address = string_at(http_context, "sourceIp");
  if (request.method.empty() || request.path.empty()) {
    return make_error(ErrorCode::invalid_argument, "not an API Gateway HTTP API (2.0) event");
  }
  if (const auto* headers = object_at(*o, "headers")) {
    for (const auto& [name, v] : *headers) {
      if (!v.is_string()) continue;
      std::string lower(name);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(lower), std::string(v.get_string()));
    }
  }
  std::string body = string_at(o, "body");
  const auto* encoded = o->if_contains("isBase64Encoded");
  if (encoded != nullptr && encoded->is_bool() && encoded->get_bool()) {
    auto decoded = crypto::base64_decode(body);
    if (!decoded) return make_error(ErrorCode::invalid_argument, "body is not valid base64");
    body = std::move(*decoded);
  }
  request.body = std::move(body);
  return request;
}

std::string encode_http_api_response(const http::Response& response) {
  json::object headers;
  headers["content-type"] = response.content_type;
  for (const auto& [name, value] : response.headers) headers[name] = value;
  json::object o;
  o["statusCode"] = response.status;
  o["headers"] = std::move(headers);
  o["body"] = response.body;
  o["isBase64Encoded"] = false;
  return json::serialize(o);
}

Result<std::vector<ports::ReceivedMessage>> decode_sqs_event(std::string_view event) {
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(event));
  DONUT_ASSIGN_OR_RETURN(const json::object* o, codec::as_object(value, "SQS event"));
  const auto* records = o->if_contains("Records");
  if (records == nullptr || !records->is_array()) {
    return make_error(ErrorCode::invalid_argument, "not an SQS event: no Records");
  }
  std::vector<ports::ReceivedMessage> messages;
  for (const auto& record : records->get_array()) {
    if (!record.is_object())
      return make_error(ErrorCode::invalid_argument, "SQS record is not an object");
    const auto& r = record.get_object();
    ports::ReceivedMessage m;
    m.message_id = string_at(&r, "messageId");
    m.receipt = string_at(&r, "receiptHandle");
    m.body = string_at(&r, "body");
    if (m.message_id.empty())
      return make_error(ErrorCode::invalid_argument, "SQS record without messageId");
    const auto* attributes = object_at(r, "attributes");
    const auto count = string_at(attributes, "ApproximateReceiveCount");
    std::from_chars(count.data(), count.data() + count.size(), m.receive_count);
    if (const auto* message_attributes = object_at(r, "messageAttributes")) {
      for (const auto& [name, v] : *message_attributes) {
        if (v.is_object())
          m.attributes.emplace(std::string(name), string_at(&v.get_object(), "stringValue"));
      }
    }
    const auto source = string_at(&r, "eventSourceARN");
    m.source_queue =
        source.substr(source.rfind(':') == std::string::npos ? 0 : source.rfind(':') + 1);
    messages.push_back(std::move(m));
  }
  return messages;
}

std::string encode_batch_response(const std::vector<ports::ReceivedMessage>& messages,
                                  const std::vector<app::MessageResult>& results) {
  json::array failures;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const bool done = i < results.size() && results[i].done;
    if (done) continue;
    json::object item;
    item["itemIdentifier"] = messages[i].message_id;
    failures.push_back(std::move(item));
  }
  json::object o;
  o["batchItemFailures"] = std::move(failures);
  return json::serialize(o);
}

}  // namespace donut::lambda
