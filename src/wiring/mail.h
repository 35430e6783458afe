// Wiring of the mailer port: "file" (.eml files in a folder, the default), "smtp" (a mail
// server over STARTTLS or TLS), "ses" (Amazon SES v2 with the AWS_* environment).
// Errors: an unknown mailer, or SMTP credentials without TLS, are `invalid_argument`.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "common/time.h"
#include "ports/clock.h"
#include "ports/mailer.h"

namespace donut::wiring {

struct MailSettings {
  std::string mailer = "file";  // file | smtp | ses
  std::string dir;              // the file mailer's outbox (the host gives its default)
  std::string smtp_url = "smtp://127.0.0.1:25";
  std::string smtp_tls = "starttls";  // starttls | none (smtp:// only; smtps:// is always TLS)
  std::string smtp_user;              // empty: no AUTH
  std::string smtp_password;          // from DONUT_SMTP_PASSWORD only, never a flag
  std::string smtp_ca_file;           // PEM bundle to trust instead of the system's
  std::string from = "donut-states@localhost";
  std::string to = "warehouse@localhost";
  // The longest an SMTP exchange may take (a worker must answer before its message returns).
  Millis smtp_timeout_cap = std::chrono::seconds(30);
  // Processes sending through the same SES account at once: each paces itself to its share of
  // the account's sending rate.
  int ses_senders = 1;
};

Result<std::unique_ptr<ports::Mailer>> open_mailer(const MailSettings& settings,
                                                   const ports::Clock& clock);

// The "ses" engine alone (its own library, donut_wiring_aws), for a host that links no other
// mailer: the Lambda functions.
Result<std::unique_ptr<ports::Mailer>> open_ses_mailer(const MailSettings& settings,
                                                       const ports::Clock& clock);

// Where notifications go, for humans.
std::string describe_mail(const MailSettings& settings);

}  // namespace donut::wiring
