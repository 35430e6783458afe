#include "adapters/mail/smtp_mailer.h"

#include <algorithm>
#include <cstring>

#include <curl/curl.h>

#include "adapters/mail/file_mailer.h"

namespace donut::mail {
namespace {

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Upload {
  std::string_view rest;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

Error send_error(CURLcode rc, long reply, const char* detail) {
  std::string why = *detail != '\0' ? detail : curl_easy_strerror(rc);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return make_error(ErrorCode::unauthorized, "SMTP server refused the credentials: " + why);
    case CURLE_OPERATION_TIMEDOUT:
      return make_error(ErrorCode::timeout, "SMTP: " + why);
    case CURLE_USE_SSL_FAILED:
      return make_error(ErrorCode::unavailable,
                        "SMTP server does not offer STARTTLS (use smtps:// or, for a relay on "
                        "this host only, tls none): " +
                            why);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return make_error(ErrorCode::unavailable, "SMTP server's certificate is not trusted: " + why);
    default:
      break;
  }
  if (reply >= 500 && reply < 600) {
    return make_error(ErrorCode::invalid_argument,
                      "SMTP server refused the e-mail (" + std::to_string(reply) + "): " + why);
  }
  if (reply >= 400 && reply < 500) {
    return make_error(ErrorCode::unavailable,
                      "SMTP server says try later (" + std::to_string(reply) + "): " + why);
  }
  return make_error(ErrorCode::unavailable, "SMTP: " + why);
}

}  // namespace

Result<SmtpSettings::Tls> parse_smtp_tls(std::string_view name) {
  if (name == "starttls") return SmtpSettings::Tls::starttls;
  if (name == "none") return SmtpSettings::Tls::none;
  return make_error(ErrorCode::invalid_argument, "SMTP tls must be 'starttls' or 'none'");
}

Result<std::string> envelope_address(std::string_view address) {
  std::string_view plain = address;
  if (const auto open = address.rfind('<'); open != std::string_view::npos) {
    const auto close = address.find('>', open);
    if (close == std::string_view::npos || close + 1 != address.size()) {
      return make_error(ErrorCode::invalid_argument, "e-mail address has an unclosed '<'");
    }
    const auto name = address.substr(0, open);
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return c == '>' || static_cast<unsigned char>(c) < ' '; })) {
      return make_error(ErrorCode::invalid_argument,
                        "e-mail address has a '>' or a control character before its '<'");
    }
    plain = address.substr(open + 1, close - open - 1);
  }
  while (!plain.empty() && plain.front() == ' ') plain.remove_prefix(1);
  while (!plain.empty() && plain.back() == ' ') plain.remove_suffix(1);
  const auto at = plain.find('@');
  const bool shaped = at != std::string_view::npos && at > 0 && at + 1 < plain.size() &&
                      plain.find('@', at + 1) == std::string_view::npos;
  const bool clean = std::none_of(plain.begin(), plain.end(), [](char c) {
    return c == '<' || c == '>' || c == ',' || c == '"' || static_cast<unsigned char>(c) <= ' ';
  });
  if (!shaped || !clean || plain.size() > 254) {
    return make_error(ErrorCode::invalid_argument,
                      "not one plain e-mail address: '" + std::string(address) + "'");
  }
  return "<" + std::string(plain) + ">";
}

Result<std::unique_ptr<SmtpMailer>> SmtpMailer::create(SmtpSettings settings,
                                                       const ports::Clock& clock) {
  const bool implicit_tls = settings.url.starts_with("smtps://");
  if (!implicit_tls && !settings.url.starts_with("smtp://")) {
    return make_error(ErrorCode::invalid_argument,
                      "SMTP URL must start with smtp:// or smtps://, got '" + settings.url + "'");
  }
  const auto authority = std::string_view(settings.url).substr(implicit_tls ? 8 : 7);
  if (authority.substr(0, authority.find('/')).find('@') != std::string_view::npos) {
    return make_error(ErrorCode::invalid_argument,
                      "SMTP URL must not carry credentials; give the user and password apart");
  }
  if (implicit_tls && settings.tls == SmtpSettings::Tls::none) {
    return make_error(ErrorCode::invalid_argument,
                      "smtps:// is always TLS; tls none contradicts it");
  }
  if (!implicit_tls && settings.tls == SmtpSettings::Tls::none && !settings.username.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "SMTP credentials would travel unencrypted; use starttls or smtps://");
  }
  return std::unique_ptr<SmtpMailer>(new SmtpMailer(std::move(settings), clock));
}

http_client::CurlHandle SmtpMailer::take_handle() {
  {
    std::lock_guard lock(idle_mutex_);
    if (!idle_.empty()) {
      auto handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  return http_client::new_curl_handle();
}

void SmtpMailer::give_back(http_client::CurlHandle handle) {
  std::lock_guard lock(idle_mutex_);
  idle_.push_back(std::move(handle));
}

Status SmtpMailer::send(const ports::Email& email) {
  DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
  DONUT_ASSIGN_OR_RETURN(const auto from, envelope_address(email.from));
  std::unique_ptr<curl_slist, SlistDeleter> recipients;
  for (const auto& to : email.to) {
    DONUT_ASSIGN_OR_RETURN(const auto address, envelope_address(to));
    recipients.reset(curl_slist_append(recipients.release(), address.c_str()));
    if (!recipients) return make_error(ErrorCode::internal, "out of memory");
  }
  const std::string message = render_eml(email, clock_.now());
  Upload upload{message};

  auto lease = take_handle();
  CURL* curl = lease.get();
  if (curl == nullptr) return make_error(ErrorCode::internal, "curl_easy_init failed");
  curl_easy_reset(curl);  // options go; the open connection stays
  char detail[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(curl, CURLOPT_URL, settings_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   settings_.tls == SmtpSettings::Tls::none ? static_cast<long>(CURLUSESSL_NONE)
                                                            : static_cast<long>(CURLUSESSL_ALL));
  if (!settings_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(settings_.timeout.count(), 10'000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  // The handle outlives this call: drop pointers into this frame before returning it.
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, nullptr);
  curl_easy_setopt(curl, CURLOPT_READDATA, nullptr);
  give_back(std::move(lease));
  if (rc != CURLE_OK) return send_error(rc, reply, detail);
  return ok();
}

}  // namespace donut::mail
