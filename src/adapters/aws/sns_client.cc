#include "adapters/aws/sns_client.h"

namespace donut::aws {
Result<std::string> SnsClient::call(std::string_view action, Form form,
                                    const char* result_element) const {
  AwsRequest request;
  request.service = Service::sns;
  request.action = "SNS." + std::string(action);
  request.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  form.emplace(form.begin(), "Action", std::string(action));
  form.emplace_back("Version", "2010-03-31");
  for (const auto& [name, value] : form) {
    if (!request.body.empty()) request.body += '&';
    request.body += sigv4::uri_encode(name, false);
    request.body += '=';
    request.body += sigv4::uri_encode(value, false);
  }
  auto answer = caller_.call(request);
  if (!answer) return answer.error();
  auto text = find_xml_text(*answer, result_element);
  if (!text) {
    return make_error(ErrorCode::unavailable, request.action + ": answer has no " + result_element);
  }
  return std::move(*text);
}

Result<std::string> SnsClient::create_topic(std::string_view name) const {
  return call("CreateTopic", {{"Name", std::string(name)}}, "TopicArn");
}

Result<std::string> SnsClient::subscribe(std::string_view topic_arn, std::string_view protocol,
                                         std::string_view endpoint,
                                         const StringMap& attributes) const {
  Form form{{"TopicArn", std::string(topic_arn)},
            {"Protocol", std::string(protocol)},
            {"Endpoint", std::string(endpoint)},
            {"ReturnSubscriptionArn", "true"}};
  int n = 0;
  for (const auto& [key, value] : attributes) {
    const std::string prefix = "Attributes.entry." + std::to_string(++n);
    form.emplace_back(prefix + ".key", key);
    form.emplace_back(prefix + ".value", value);
  }
  return call("Subscribe", std::move(form), "SubscriptionArn");
}

Result<std::string> SnsClient::publish(std::string_view topic_arn, std::string_view message,
                                       const StringMap& attributes) const {
  Form form{{"TopicArn", std::string(topic_arn)}, {"Message", std::string(message)}};
  int n = 0;
  for (const auto& [key, value] : attributes) {
    const std::string prefix = "MessageAttributes.entry." + std::to_string(++n);
    form.emplace_back(prefix + ".Name", key);
    form.emplace_back(prefix + ".Value.DataType", "String");
    form.emplace_back(prefix + ".Value.StringValue", value);
  }
  return call("Publish", std::move(form), "MessageId");
}

}  // namespace donut::aws
