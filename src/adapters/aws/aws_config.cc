#include "adapters/aws/aws_config.h"

#include <cstdlib>

namespace donut::aws {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

std::string_view endpoint_prefix(Service service) {
  switch (service) {
    case Service::sqs:
      return "sqs";
    case Service::sns:
      return "sns";
    case Service::ses:
      return "email";
    case Service::secrets_manager:
      return "secretsmanager";
  }
  return "";
}

}  // namespace

std::string_view signing_name(Service service) {
  return service == Service::ses ? "ses" : endpoint_prefix(service);
}

Result<AwsConfig> AwsConfig::from_environment() {
  AwsConfig config;
  config.credentials.access_key_id = env("AWS_ACCESS_KEY_ID");
  config.credentials.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  config.credentials.session_token = env("AWS_SESSION_TOKEN");
  if (config.credentials.access_key_id.empty() || config.credentials.secret_access_key.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  if (auto region = env("AWS_REGION"); !region.empty()) {
    config.region = region;
  } else if (auto fallback = env("AWS_DEFAULT_REGION"); !fallback.empty()) {
    config.region = fallback;
  }
  config.endpoint = env("AWS_ENDPOINT_URL");
  const std::pair<Service, const char*> per_service[] = {
      {Service::sqs, "AWS_ENDPOINT_URL_SQS"},
      {Service::sns, "AWS_ENDPOINT_URL_SNS"},
      {Service::ses, "AWS_ENDPOINT_URL_SESV2"},
      {Service::secrets_manager, "AWS_ENDPOINT_URL_SECRETS_MANAGER"}};
  for (const auto& [service, name] : per_service) {
    if (auto url = env(name); !url.empty()) config.service_endpoints[service] = url;
  }
  return config;
}

std::string AwsConfig::endpoint_for(Service service) const {
  if (auto it = service_endpoints.find(service); it != service_endpoints.end()) return it->second;
  if (!endpoint.empty()) return endpoint;
  return "https://" + std::string(endpoint_prefix(service)) + "." + region + ".amazonaws.com";
}

}  // namespace donut::aws
