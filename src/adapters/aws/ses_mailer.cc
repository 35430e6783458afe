#include "adapters/aws/ses_mailer.h"

#include <cmath>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/deadline.h"
#include "common/random.h"

namespace donut::aws {
namespace {

// SES's limits change as an account leaves the sandbox or is raised: read them again this often.
constexpr auto kQuotaLifetime = std::chrono::hours(1);
// Turns a send may take when SES throttles it anyway.
constexpr int kThrottledTurns = 3;

}  // namespace

Status SesMailer::send(const ports::Email& email) {
  DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
  const SesEmail message{
      email.from, email.to, email.subject, email.text, {{"X-Donut-Notification-Id", email.id}}};
  // Throttled all the same (another process took the account's turn): the next turn of ours.
  for (int turn = 1;; ++turn) {
    if (!wait_for_turn()) {
      return make_error(ErrorCode::rate_limited,
                        "SES.SendEmail: the account's sending rate leaves no turn before the "
                        "deadline");
    }
    auto id = ses_.send_email(message);
    if (id) return ok();
    if (id.error().code != ErrorCode::rate_limited || turn >= kThrottledTurns) return id.error();
  }
}

void SesMailer::refresh_quota(Steady::time_point now) {
  quota_read_at_ = now;
  auto quota = ses_.send_quota();
  if (!quota) {
    // Without the quota, the rate every account has: SES's sandbox's 1 a second.
    spdlog::warn("ses: send quota unknown, sending at the SES sandbox's 1 e-mail a second: {}",
                 quota.error().message);
    interval_ = Millis(1100 * senders_);
    return;
  }
  // 10% under the share: a send reaches SES a little earlier or later than its turn.
  interval_ = Millis(static_cast<int64_t>(std::ceil(1100.0 * senders_ / quota->max_send_rate)));
  spdlog::info("ses: {} e-mails a second for the account, one every {} ms here",
               quota->max_send_rate, interval_.count());
}

bool SesMailer::wait_for_turn() {
  Steady::time_point turn;
  {
    std::lock_guard lock(mutex_);
    const auto now = Steady::now();
    if (!quota_read_at_ || now - *quota_read_at_ > kQuotaLifetime) refresh_quota(now);
    // Senders started together would take the same turns: a first turn somewhere in the first
    // interval spreads them.
    if (next_turn_ == Steady::time_point{}) {
      std::uniform_int_distribution<int64_t> offset(0, std::max<int64_t>(0, interval_.count() - 1));
      next_turn_ = now + Millis(offset(thread_random()));
    }
    turn = std::max(next_turn_, now);
    const auto wait = std::chrono::duration_cast<Millis>(turn - now);
    if (bounded_by_deadline(wait) < wait) return false;  // this turn is past the deadline
    next_turn_ = turn + interval_;
  }
  std::this_thread::sleep_until(turn);
  return true;
}

}  // namespace donut::aws
