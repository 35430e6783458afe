// Amazon SES API v2 (REST/JSON): SendEmail with simple text content and GetAccount's send
// quota, and Secrets Manager's GetSecretValue (AWS JSON 1.1), the other AWS calls Donut-States
// makes.
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

// The account's sending limits (SES's GetAccount, SendQuota).
struct SendQuota {
  double max_send_rate = 1;  // e-mails a second
  double max_24_hour_send = 200;
  double sent_last_24_hours = 0;
};

class SesClient {
 public:
  explicit SesClient(const AwsCaller& caller) : caller_(caller) {}
  // Returns SES's message id. Throttling (the account's send rate) is returned, not retried:
  // the caller waits for its next turn (SesMailer).
  Result<std::string> send_email(const SesEmail& email) const;
  Result<SendQuota> send_quota() const;

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
