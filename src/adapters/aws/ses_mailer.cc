#include "adapters/aws/ses_mailer.h"

namespace donut::aws {

Status SesMailer::send(const ports::Email& email) {
  DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
  SesEmail message{
      email.from, email.to, email.subject, email.text, {{"X-Donut-Notification-Id", email.id}}};
  auto id = ses_.send_email(message);
  if (!id) return id.error();
  return ok();
}

}  // namespace donut::aws
