#include "wiring/mail.h"

#include <algorithm>

#include "adapters/mail/file_mailer.h"
#include "adapters/mail/smtp_mailer.h"

namespace donut::wiring {

Result<std::unique_ptr<ports::Mailer>> open_mailer(const MailSettings& m,
                                                   const ports::Clock& clock) {
  if (m.mailer == "ses") return open_ses_mailer(m, clock);
  if (m.mailer == "smtp") {
    DONUT_ASSIGN_OR_RETURN(auto tls, mail::parse_smtp_tls(m.smtp_tls));
    mail::SmtpSettings settings{m.smtp_url, tls, m.smtp_user, m.smtp_password, m.smtp_ca_file};
    settings.timeout = std::min<Millis>(settings.timeout, m.smtp_timeout_cap);
    DONUT_ASSIGN_OR_RETURN(auto mailer, mail::SmtpMailer::create(std::move(settings), clock));
    return std::unique_ptr<ports::Mailer>(std::move(mailer));
  }
  if (!m.mailer.empty() && m.mailer != "file") {
    return make_error(ErrorCode::invalid_argument, "--mailer must be 'file', 'smtp' or 'ses'");
  }
  return std::unique_ptr<ports::Mailer>(std::make_unique<mail::FileMailer>(m.dir, clock));
}

std::string describe_mail(const MailSettings& m) {
  if (m.mailer == "smtp") return m.smtp_url + " (SMTP) to " + m.to;
  if (m.mailer == "ses") return "Amazon SES to " + m.to;
  return m.dir + " (.eml files)";
}

}  // namespace donut::wiring
