// The mailer port on Amazon SES (API v2 SendEmail). SES cannot recognise a repeated send, so
// every e-mail carries its notification id as the `X-Donut-Notification-Id` header: a
// redelivered notification may arrive twice, and mail rules or readers can fold the copies.
// Thread-safe.
#pragma once

#include <memory>

#include "adapters/aws/ses_client.h"
#include "ports/mailer.h"

namespace donut::aws {

class SesMailer final : public ports::Mailer {
 public:
  explicit SesMailer(std::shared_ptr<const AwsCaller> caller)
      : caller_(std::move(caller)), ses_(*caller_) {}
  Status send(const ports::Email& email) override;

 private:
  std::shared_ptr<const AwsCaller> caller_;
  SesClient ses_;
};

}  // namespace donut::aws
