// Mailer port: sends one e-mail. Adapters: a local outbox folder of .eml files (default), and
// cloud/SMTP mailers. Delivery is at-least-once from the notifier's point of view, so adapters
// should make a repeated `send` of the same `Email::id` harmless where the engine allows.
// Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"

namespace donut::ports {

struct Email {
  std::string id;  // stable per notification (derived from the event id)
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string text;  // plain text body, UTF-8
};

// The check every engine makes before sending (engines may check more, e.g. address syntax).
inline Status check_addressed(const Email& email) {
  if (email.from.empty())
    return make_error(ErrorCode::invalid_argument, "an e-mail needs a sender");
  if (email.to.empty()) {
    return make_error(ErrorCode::invalid_argument, "an e-mail needs at least one recipient");
  }
  return ok();
}

class Mailer {
 public:
  virtual ~Mailer() = default;
  virtual Status send(const Email& email) = 0;
};

}  // namespace donut::ports
