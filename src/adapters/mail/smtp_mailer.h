// Mailer port over SMTP (libcurl), for self-hosted installs that hand mail to a relay.
//
// Each e-mail is the same RFC 5322 text the file outbox writes (render_eml), so its Message-ID
// is derived from the notification id: SMTP cannot recognise a repeated send, but a
// redelivered notification that goes out twice carries the same Message-ID, and mail clients
// fold such copies.
//
// Transport security: `smtps://` is TLS from the first byte; `smtp://` upgrades with STARTTLS
// and refuses to go on without it, unless `tls` is `none` (a relay on the same host). Credentials
// are only ever sent over TLS, and the password never appears in an error or a log line.
//
// Errors: `unavailable` when the server cannot be reached, its certificate is not trusted or it
// answers 4xx (try again later); `timeout`; `unauthorized` when it refuses the credentials;
// `invalid_argument` when it refuses the message or an address for good (5xx) or an address is
// malformed. Thread-safe: concurrent sends use separate connections, each kept open for the next
// e-mail; a connection is only ever reused by the mailer (and settings) that opened it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/curl_handle.h"
#include "common/error.h"
#include "common/time.h"
#include "ports/clock.h"
#include "ports/mailer.h"

namespace donut::mail {

struct SmtpSettings {
  std::string url = "smtp://127.0.0.1:25";  // smtp://host[:port] or smtps://host[:port]
  enum class Tls { starttls, none } tls = Tls::starttls;  // for smtp:// only
  std::string username;                                   // empty: no AUTH
  std::string password;
  std::string ca_file;  // PEM bundle to trust instead of the system's (a private CA)
  // The whole conversation. Hosts keep it under the notifications queue's visibility timeout,
  // so a hung server does not get the same notification handed to a second worker meanwhile.
  Millis timeout = std::chrono::seconds(15);
};

Result<SmtpSettings::Tls> parse_smtp_tls(std::string_view name);  // "starttls" | "none"

class SmtpMailer final : public ports::Mailer {
 public:
  // Refuses contradictory settings: a URL that is not smtp:// or smtps://, `none` with
  // smtps://, or credentials over a connection that would not be encrypted.
  static Result<std::unique_ptr<SmtpMailer>> create(SmtpSettings settings,
                                                    const ports::Clock& clock);
  Status send(const ports::Email& email) override;

 private:
  SmtpMailer(SmtpSettings settings, const ports::Clock& clock)
      : settings_(std::move(settings)), clock_(clock) {}
  http_client::CurlHandle take_handle();  // idle or new; held only during one send
  void give_back(http_client::CurlHandle handle);

  SmtpSettings settings_;
  const ports::Clock& clock_;
  std::mutex idle_mutex_;
  std::vector<http_client::CurlHandle> idle_;  // with their open connections, not in use
};

// The envelope form `<local@domain>` of a header address ("Shop <shop@example.com>" or
// "shop@example.com"); invalid_argument for anything that is not one plain address.
Result<std::string> envelope_address(std::string_view address);

}  // namespace donut::mail
