#include "adapters/mail/file_mailer.h"

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/ids.h"

namespace donut::mail {
namespace {

// Header values must not carry line breaks (header injection).
std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

// Header text must be ASCII (RFC 5322); anything else goes out as RFC 2047 encoded words of at
// most 75 characters, split between whole UTF-8 characters and folded onto separate lines.
std::string header_text(std::string_view text) {
  const bool ascii = std::all_of(text.begin(), text.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(text);
  constexpr std::size_t kMaxBytesPerWord = 45;  // 60 base64 characters + "=?UTF-8?B?" + "?="
  std::string out;
  while (!text.empty()) {
    std::size_t n = std::min(kMaxBytesPerWord, text.size());
    while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    if (n == 0) n = std::min(kMaxBytesPerWord, text.size());  // not UTF-8; split anywhere
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += crypto::base64_encode(text.substr(0, n));
    out += "?=";
    text.remove_prefix(n);
  }
  return out;
}

bool safe_file_name(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return id.front() != '.';
}

}  // namespace

std::string render_eml(const ports::Email& email, TimePoint date) {
  std::string to;
  for (const auto& address : email.to) {
    if (!to.empty()) to += ", ";
    to += one_line(address);
  }
  std::string text;
  for (std::size_t i = 0; i < email.text.size(); ++i) {  // normalise to CRLF
    if (email.text[i] == '\n' && (i == 0 || email.text[i - 1] != '\r')) text += '\r';
    text += email.text[i];
  }
  return fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\n"
      "Message-ID: <{}@donut-states.local>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
      one_line(email.from), to, header_text(one_line(email.subject)), format_rfc5322(date),
      one_line(email.id), text);
}

FileMailer::FileMailer(std::filesystem::path directory, const ports::Clock& clock)
    : directory_(std::move(directory)), clock_(clock) {}

Status FileMailer::send(const ports::Email& email) {
  DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
  if (!safe_file_name(email.id)) {
    return make_error(ErrorCode::invalid_argument, "e-mail id is not a safe file name");
  }
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  if (ec)
    return make_error(ErrorCode::unavailable,
                      "cannot create " + directory_.string() + ": " + ec.message());
  const auto final_path = directory_ / (email.id + ".eml");
  const auto temp_path = directory_ / ("." + email.id + "." + random_hex(4) + ".tmp");
  {
    std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
    out << render_eml(email, clock_.now());
    out.flush();
    if (!out) {
      std::filesystem::remove(temp_path, ec);
      return make_error(ErrorCode::unavailable, "cannot write " + temp_path.string());
    }
  }
  std::filesystem::rename(temp_path, final_path, ec);
  if (ec)
    return make_error(ErrorCode::unavailable,
                      "cannot rename to " + final_path.string() + ": " + ec.message());
  return ok();
}

}  // namespace donut::mail
