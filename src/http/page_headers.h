// The headers every page and asset the shop serves carries, so a browser runs only what the
// page itself brings and never inside someone else's frame:
//   Content-Security-Policy   the page's policy (frame-ancestors 'none', base-uri 'none', ...)
//   X-Content-Type-Options    nosniff: a file is only ever what its Content-Type says
//   X-Frame-Options           DENY, for browsers that predate frame-ancestors
#pragma once

#include <string>
#include <string_view>

#include "http/message.h"

namespace donut::http {

// For pages whose scripts, styles and images all come from this origin as files.
inline constexpr std::string_view kSameOriginPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

void add_page_headers(Response& response, std::string_view content_security_policy);

// The policy of a page that carries its scripts inline (a rendered document): only those exact
// scripts may run, each allowed by its SHA-256 ('sha256-<base64>'), nothing else; inline styles
// are allowed (the renderer injects them); no framing, no form, no base.
std::string inline_scripts_policy(std::string_view page);

}  // namespace donut::http
