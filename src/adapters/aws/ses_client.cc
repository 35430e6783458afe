#include "adapters/aws/ses_client.h"

#include <boost/json.hpp>

namespace donut::aws {
namespace {

namespace json = boost::json;

Result<std::string> string_field(const std::string& answer, std::string_view key,
                                 std::string_view action) {
  auto object = parse_json_answer(answer, action);
  if (object) {
    if (auto* field = object->if_contains(key); field != nullptr && field->is_string()) {
      return std::string(field->as_string());
    }
  }
  return make_error(ErrorCode::unavailable,
                    std::string(action) + ": answer has no " + std::string(key));
}

}  // namespace

Result<std::string> SesClient::send_email(const SesEmail& email) const {
  json::array to;
  for (const auto& address : email.to) to.emplace_back(address);
  json::object simple{{"Subject", {{"Data", email.subject}, {"Charset", "UTF-8"}}},
                      {"Body", {{"Text", {{"Data", email.text}, {"Charset", "UTF-8"}}}}}};
  if (!email.headers.empty()) {
    json::array headers;
    for (const auto& [name, value] : email.headers) {
      headers.push_back(json::object{{"Name", name}, {"Value", value}});
    }
    simple["Headers"] = std::move(headers);
  }
  json::object body{{"FromEmailAddress", email.from},
                    {"Destination", {{"ToAddresses", std::move(to)}}},
                    {"Content", {{"Simple", std::move(simple)}}}};
  AwsRequest request;
  request.service = Service::ses;
  request.action = "SES.SendEmail";
  request.path = "/v2/email/outbound-emails";
  request.content_type = "application/json";
  request.retry_throttling = false;
  request.body = json::serialize(body);
  auto answer = caller_.call(request);
  if (!answer) return answer.error();
  return string_field(*answer, "MessageId", request.action);
}

Result<SendQuota> SesClient::send_quota() const {
  AwsRequest request;
  request.service = Service::ses;
  request.action = "SES.GetAccount";
  request.method = "GET";
  request.path = "/v2/email/account";
  DONUT_ASSIGN_OR_RETURN(auto answer, caller_.call(request));
  DONUT_ASSIGN_OR_RETURN(auto object, parse_json_answer(answer, request.action));
  const auto* quota = object.if_contains("SendQuota");
  if (quota == nullptr || !quota->is_object()) {
    return make_error(ErrorCode::unavailable, request.action + ": answer has no SendQuota");
  }
  SendQuota out;
  const auto number = [&](std::string_view key, double& into) {
    if (const auto* v = quota->as_object().if_contains(key); v != nullptr && v->is_number()) {
      into = v->to_number<double>();
    }
  };
  number("MaxSendRate", out.max_send_rate);
  number("Max24HourSend", out.max_24_hour_send);
  number("SentLast24Hours", out.sent_last_24_hours);
  if (out.max_send_rate <= 0) {
    return make_error(ErrorCode::unavailable, request.action + ": MaxSendRate is not positive");
  }
  return out;
}

Result<std::string> get_secret_string(const AwsCaller& caller, std::string_view secret_id) {
  AwsRequest request;
  request.service = Service::secrets_manager;
  request.action = "SecretsManager.GetSecretValue";
  request.content_type = "application/x-amz-json-1.1";
  request.headers.emplace_back("X-Amz-Target", "secretsmanager.GetSecretValue");
  request.body = json::serialize(json::object{{"SecretId", secret_id}});
  auto answer = caller.call(request);
  if (!answer) return answer.error();
  return string_field(*answer, "SecretString", request.action);
}

Status put_secret_string(const AwsCaller& caller, std::string_view secret_id,
                         std::string_view value) {
  AwsRequest request;
  request.service = Service::secrets_manager;
  request.action = "SecretsManager.PutSecretValue";
  request.content_type = "application/x-amz-json-1.1";
  request.headers.emplace_back("X-Amz-Target", "secretsmanager.PutSecretValue");
  request.body = json::serialize(json::object{{"SecretId", secret_id}, {"SecretString", value}});
  auto answer = caller.call(request);
  if (!answer) return answer.error();
  return ok();
}

}  // namespace donut::aws
