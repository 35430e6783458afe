// libFuzzer target: the e-mail both mailers send, built from hostile fields.
// Input: "<from>\n<to>\n<subject>\n<text>". Whatever the fields hold, the rendered message has
// exactly the eight headers it should, one per line (folded lines start with a space), a
// subject in ASCII, and the text after the blank line; an envelope address, when accepted, is
// one plain <local@domain> with nothing that could end an SMTP command.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/mail/file_mailer.h"
#include "adapters/mail/smtp_mailer.h"

namespace {

std::string_view field(std::string_view& rest) {
  const auto end = rest.find('\n');
  const auto value = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return value;
}

void check_envelope(std::string_view address) {
  auto envelope = donut::mail::envelope_address(address);
  if (!envelope) return;
  const std::string& e = *envelope;
  if (e.size() < 5 || e.front() != '<' || e.back() != '>') std::abort();
  if (std::count(e.begin(), e.end(), '@') != 1) std::abort();
  const auto inner = std::string_view(e).substr(1, e.size() - 2);
  for (unsigned char c : inner) {
    if (c <= ' ' || c == '<' || c == '>') std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const auto from = field(rest);
  const auto to = field(rest);
  const auto subject = field(rest);
  check_envelope(from);
  check_envelope(to);

  donut::ports::Email email{
      "01FUZZ", std::string(from), {std::string(to)}, std::string(subject), std::string(rest)};
  const std::string eml = donut::mail::render_eml(email, donut::from_unix_ms(1'764'000'000'000));
  const auto blank = eml.find("\r\n\r\n");
  if (blank == std::string::npos) std::abort();
  const std::string_view headers = std::string_view(eml).substr(0, blank + 2);
  int header_lines = 0;
  for (std::size_t start = 0; start < headers.size();) {
    const auto end = headers.find("\r\n", start);
    const auto line = headers.substr(start, end - start);
    if (line.find_first_of("\r\n") != std::string_view::npos) std::abort();  // a bare CR or LF
    if (line.empty()) std::abort();
    if (line.front() != ' ') {
      ++header_lines;
      if (line.find(": ") == std::string_view::npos) std::abort();
    }
    if (line.rfind("Subject: ", 0) == 0 || (line.front() == ' ' && header_lines == 3)) {
      for (unsigned char c : line) {
        if (c >= 0x80) std::abort();
      }
    }
    start = end + 2;
  }
  if (header_lines != 8) std::abort();  // From To Subject Date Message-ID MIME-Version C-T C-T-E
  return 0;
}
