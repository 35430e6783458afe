// Where and as whom the AWS clients call: region, credentials and endpoints, read from the
// standard environment variables, so the same code runs inside Lambda (which sets them for the
// function's role), on a developer machine, and against local emulators.
//
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN   credentials (required)
//   AWS_REGION, or AWS_DEFAULT_REGION                             region (default us-east-1)
//   AWS_ENDPOINT_URL                                              one endpoint for every service
//   AWS_ENDPOINT_URL_SQS, _SNS, _SESV2, _SECRETS_MANAGER          per-service endpoint
//
// Without an override, the regional public endpoint is used (https://sqs.<region>.amazonaws.com).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "common/error.h"
#include "common/time.h"

namespace donut::aws {

// The services Donut-States calls, with their SigV4 signing names and endpoint prefixes.
enum class Service { sqs, sns, ses, secrets_manager };

struct AwsConfig {
  std::string region = "us-east-1";
  sigv4::Credentials credentials;
  std::string endpoint;                              // overrides every service
  std::map<Service, std::string> service_endpoints;  // overrides one service
  Millis timeout = std::chrono::seconds(10);         // per attempt, beyond long polls
  int max_attempts = 4;                              // throttling, 5xx, transport
  Millis backoff_base = std::chrono::milliseconds(50);
  Millis backoff_cap = std::chrono::seconds(2);

  // `invalid_argument` naming the variable when credentials are missing.
  static Result<AwsConfig> from_environment();

  std::string endpoint_for(Service service) const;
};

std::string_view signing_name(Service service);

}  // namespace donut::aws
