#include "adapters/aws/sqs_client.h"

#include <algorithm>

#include <boost/json.hpp>

namespace donut::aws {
namespace {

namespace json = boost::json;

Result<json::object> parse_object(const std::string& body, std::string_view action) {
  return parse_json_answer(body, "SQS." + std::string(action));
}

json::object string_attributes(const StringMap& attributes) {
  json::object out;
  for (const auto& [name, value] : attributes) {
    out[name] = json::object{{"DataType", "String"}, {"StringValue", value}};
  }
  return out;
}

}  // namespace

Result<std::string> SqsClient::call(std::string_view action, std::string body,
                                    AwsErrorDetail* detail, Millis long_poll,
                                    std::stop_token stop) const {
  AwsRequest request;
  request.service = Service::sqs;
  request.action = "SQS." + std::string(action);
  request.content_type = "application/x-amz-json-1.0";
  request.headers.emplace_back("X-Amz-Target", "AmazonSQS." + std::string(action));
  request.body = std::move(body);
  request.long_poll = long_poll;
  request.stop = std::move(stop);
  return caller_.call(request, detail);
}

Result<std::string> SqsClient::create_queue(std::string_view name,
                                            const StringMap& attributes) const {
  json::object request{{"QueueName", name}};
  if (!attributes.empty()) {
    json::object attrs;
    for (const auto& [key, value] : attributes) attrs[key] = value;
    request["Attributes"] = std::move(attrs);
  }
  auto body = call("CreateQueue", json::serialize(request));
  if (!body) return body.error();
  auto object = parse_object(*body, "CreateQueue");
  if (!object) return object.error();
  return string_member(*object, "QueueUrl");
}

Result<std::string> SqsClient::get_queue_url(std::string_view name) const {
  auto body = call("GetQueueUrl", json::serialize(json::object{{"QueueName", name}}));
  if (!body) return body.error();
  auto object = parse_object(*body, "GetQueueUrl");
  if (!object) return object.error();
  return string_member(*object, "QueueUrl");
}

Result<StringMap> SqsClient::get_queue_attributes(std::string_view queue_url,
                                                  std::span<const std::string> names) const {
  json::array wanted;
  for (const auto& name : names) wanted.emplace_back(name);
  auto body = call("GetQueueAttributes",
                   json::serialize(json::object{{"QueueUrl", queue_url},
                                                {"AttributeNames", std::move(wanted)}}));
  if (!body) return body.error();
  auto object = parse_object(*body, "GetQueueAttributes");
  if (!object) return object.error();
  StringMap attributes;
  if (auto* attrs = object->if_contains("Attributes"); attrs != nullptr && attrs->is_object()) {
    for (const auto& [key, value] : attrs->as_object()) {
      if (value.is_string()) attributes.emplace(std::string(key), std::string(value.as_string()));
    }
  }
  return attributes;
}

Status SqsClient::set_queue_attributes(std::string_view queue_url,
                                       const StringMap& attributes) const {
  json::object attrs;
  for (const auto& [key, value] : attributes) attrs[key] = value;
  auto body = call(
      "SetQueueAttributes",
      json::serialize(json::object{{"QueueUrl", queue_url}, {"Attributes", std::move(attrs)}}));
  if (!body) return body.error();
  return ok();
}

Result<std::string> SqsClient::send_message(std::string_view queue_url, std::string_view body,
                                            const StringMap& attributes, int delay_seconds) const {
  json::object request{{"QueueUrl", queue_url}, {"MessageBody", body}};
  if (!attributes.empty()) request["MessageAttributes"] = string_attributes(attributes);
  if (delay_seconds > 0) request["DelaySeconds"] = delay_seconds;
  auto answer = call("SendMessage", json::serialize(request));
  if (!answer) return answer.error();
  auto object = parse_object(*answer, "SendMessage");
  if (!object) return object.error();
  return string_member(*object, "MessageId");
}

Result<std::vector<SqsMessage>> SqsClient::receive_message(std::string_view queue_url,
                                                           const SqsReceive& receive,
                                                           std::stop_token stop) const {
  json::object request{{"QueueUrl", queue_url},
                       {"MaxNumberOfMessages", std::clamp(receive.max_messages, 1, 10)},
                       {"WaitTimeSeconds", std::clamp(receive.wait_seconds, 0, 20)},
                       {"MessageAttributeNames", json::array{"All"}},
                       {"MessageSystemAttributeNames", json::array{"All"}},
                       {"AttributeNames", json::array{"All"}}};
  if (receive.visibility_seconds) request["VisibilityTimeout"] = *receive.visibility_seconds;
  auto answer = call("ReceiveMessage", json::serialize(request), nullptr,
                     std::chrono::seconds(receive.wait_seconds), std::move(stop));
  if (!answer) return answer.error();
  auto object = parse_object(*answer, "ReceiveMessage");
  if (!object) return object.error();
  std::vector<SqsMessage> messages;
  auto* list = object->if_contains("Messages");
  if (list == nullptr || !list->is_array()) return messages;
  messages.reserve(list->as_array().size());
  for (const auto& item : list->as_array()) {
    if (!item.is_object()) continue;
    const auto& m = item.as_object();
    SqsMessage message;
    message.message_id = string_member(m, "MessageId");
    message.receipt_handle = string_member(m, "ReceiptHandle");
    message.body = string_member(m, "Body");
    if (auto* attrs = m.if_contains("MessageAttributes"); attrs != nullptr && attrs->is_object()) {
      for (const auto& [key, value] : attrs->as_object()) {
        if (value.is_object()) {
          message.attributes.emplace(std::string(key),
                                     string_member(value.as_object(), "StringValue"));
        }
      }
    }
    if (auto* attrs = m.if_contains("Attributes"); attrs != nullptr && attrs->is_object()) {
      for (const auto& [key, value] : attrs->as_object()) {
        if (value.is_string()) {
          message.system_attributes.emplace(std::string(key), std::string(value.as_string()));
        }
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

Status SqsClient::delete_message(std::string_view queue_url,
                                 std::string_view receipt_handle) const {
  auto answer = call(
      "DeleteMessage",
      json::serialize(json::object{{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}}));
  if (!answer) return answer.error();
  return ok();
}

Result<std::vector<SqsBatchFailure>> SqsClient::delete_message_batch(
    std::string_view queue_url, std::span<const std::string> receipt_handles) const {
  json::array entries;
  for (std::size_t i = 0; i < receipt_handles.size(); ++i) {
    entries.push_back(
        json::object{{"Id", std::to_string(i)}, {"ReceiptHandle", receipt_handles[i]}});
  }
  auto answer =
      call("DeleteMessageBatch",
           json::serialize(json::object{{"QueueUrl", queue_url}, {"Entries", std::move(entries)}}));
  if (!answer) return answer.error();
  auto object = parse_object(*answer, "DeleteMessageBatch");
  if (!object) return object.error();
  std::vector<SqsBatchFailure> failures;
  if (auto* failed = object->if_contains("Failed"); failed != nullptr && failed->is_array()) {
    for (const auto& item : failed->as_array()) {
      if (!item.is_object()) continue;
      const auto& f = item.as_object();
      SqsBatchFailure failure;
      failure.index = static_cast<std::size_t>(std::stoul("0" + string_member(f, "Id")));
      failure.code = string_member(f, "Code");
      failure.message = string_member(f, "Message");
      failures.push_back(std::move(failure));
    }
  }
  return failures;
}

Status SqsClient::change_message_visibility(std::string_view queue_url,
                                            std::string_view receipt_handle,
                                            int visibility_seconds) const {
  auto answer = call("ChangeMessageVisibility",
                     json::serialize(json::object{{"QueueUrl", queue_url},
                                                  {"ReceiptHandle", receipt_handle},
                                                  {"VisibilityTimeout", visibility_seconds}}));
  if (!answer) return answer.error();
  return ok();
}

Status SqsClient::purge_queue(std::string_view queue_url) const {
  auto answer = call("PurgeQueue", json::serialize(json::object{{"QueueUrl", queue_url}}));
  if (!answer) return answer.error();
  return ok();
}

Result<std::optional<std::string>> SqsClient::start_message_move_task(
    std::string_view source_arn, std::string_view destination_arn) const {
  json::object request{{"SourceArn", source_arn}};
  if (!destination_arn.empty()) request["DestinationArn"] = destination_arn;
  AwsErrorDetail detail;
  auto answer = call("StartMessageMoveTask", json::serialize(request), &detail);
  if (!answer) {
    if (detail.code == "InvalidAction" || detail.code == "UnknownOperationException") {
      return std::optional<std::string>();
    }
    return answer.error();
  }
  auto object = parse_object(*answer, "StartMessageMoveTask");
  if (!object) return object.error();
  return std::optional<std::string>(string_member(*object, "TaskHandle"));
}

}  // namespace donut::aws
