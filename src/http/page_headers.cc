#include "http/page_headers.h"

#include "common/crypto.h"

namespace donut::http {

void add_page_headers(Response& response, std::string_view content_security_policy) {
  response.headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
}

std::string inline_scripts_policy(std::string_view page) {
  std::string scripts;
  for (std::size_t at = page.find("<script"); at != std::string_view::npos;
       at = page.find("<script", at)) {
    const auto body = page.find('>', at);
    const auto end = page.find("</script>", body);
    if (body == std::string_view::npos || end == std::string_view::npos) break;
    const auto text = page.substr(body + 1, end - body - 1);
    scripts += " 'sha256-" + crypto::base64_encode(crypto::as_bytes(crypto::sha256(text))) + "'";
    at = end;
  }
  return "default-src 'none'; script-src" + (scripts.empty() ? std::string(" 'none'") : scripts) +
         "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
         "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
}

}  // namespace donut::http
