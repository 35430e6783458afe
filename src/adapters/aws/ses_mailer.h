// The mailer port on Amazon SES (API v2 SendEmail). SES cannot recognise a repeated send, so
// every e-mail carries its notification id as the `X-Donut-Notification-Id` header: a
// redelivered notification may arrive twice, and mail rules or readers can fold the copies.
//
// Sends are paced to the account's sending rate (SES's GetAccount, read at the first send and
// every hour after): a new account may send 1 e-mail a second, and SES refuses the rest, so a
// burst of notifications would otherwise fail and pile up in the dead-letter queue. `senders`
// processes sharing the account (the notifier's execution environments) each take their share of
// the rate, less 10% for the jitter between a turn and the send's arrival. A send waits for its
// turn, but not past the current deadline (common/deadline.h): then it is `rate_limited`, and the
// notification is retried later. Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "adapters/aws/ses_client.h"
#include "ports/mailer.h"

namespace donut::aws {

class SesMailer final : public ports::Mailer {
 public:
  explicit SesMailer(std::shared_ptr<const AwsCaller> caller, int senders = 1)
      : caller_(std::move(caller)), ses_(*caller_), senders_(senders < 1 ? 1 : senders) {}
  Status send(const ports::Email& email) override;

 private:
  using Steady = std::chrono::steady_clock;
  // Waits for this send's turn; false when that would be past the deadline.
  bool wait_for_turn();
  void refresh_quota(Steady::time_point now);

  std::shared_ptr<const AwsCaller> caller_;
  SesClient ses_;
  const int senders_;
  std::mutex mutex_;
  Millis interval_{1000};
  std::optional<Steady::time_point> quota_read_at_;
  Steady::time_point next_turn_{};
};

}  // namespace donut::aws
