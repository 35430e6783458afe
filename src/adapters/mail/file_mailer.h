// Mailer port on a local folder: each e-mail becomes `<dir>/<email id>.eml` (RFC 5322 text),
// the default "outbox" of the one-machine system. The file appears atomically (written to a
// temporary name, then renamed), and sending the same id again rewrites the same file, so a
// redelivered notification never shows up as two e-mails. Thread-safe.
#pragma once

#include <filesystem>

#include "ports/clock.h"
#include "ports/mailer.h"

namespace donut::mail {

class FileMailer final : public ports::Mailer {
 public:
  FileMailer(std::filesystem::path directory, const ports::Clock& clock);
  Status send(const ports::Email& email) override;

  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  const ports::Clock& clock_;
};

// The RFC 5322 rendering used by FileMailer and SmtpMailer (and by tests that read it back):
// CRLF line ends, Message-ID from the e-mail id, a subject outside ASCII as RFC 2047 words.
std::string render_eml(const ports::Email& email, TimePoint date);

}  // namespace donut::mail
