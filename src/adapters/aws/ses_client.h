// Amazon SES API v2 (REST/JSON): SendEmail with simple text content, and Secrets Manager's
// GetSecretValue (AWS JSON 1.1), the two other AWS calls Donut-States makes.
//
// Thread-safe. Errors as in aws_caller.h.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/aws/aws_caller.h"

namespace donut::aws {

struct SesEmail {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string text;
  std::vector<std::pair<std::string, std::string>> headers;  // extra e-mail headers
};

class SesClient {
 public:
  explicit SesClient(const AwsCaller& caller) : caller_(caller) {}
  // Returns SES's message id.
  Result<std::string> send_email(const SesEmail& email) const;

 private:
  const AwsCaller& caller_;
};

// The SecretString of a Secrets Manager secret (an ARN or a name); `not_found` when the secret
// has no value yet.
Result<std::string> get_secret_string(const AwsCaller& caller, std::string_view secret_id);
// Stores a new current value (PutSecretValue); the value is never logged or echoed.
Status put_secret_string(const AwsCaller& caller, std::string_view secret_id,
                         std::string_view value);

}  // namespace donut::aws
