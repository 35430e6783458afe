// The bearer-token check in front of operator routes: the shop's /admin/*, the factory
// simulator's knobs, and /metrics when it is not open to anyone.
//
// `Authorization: Bearer <token>` must match exactly (compared in constant time); otherwise 401
// with `WWW-Authenticate: Bearer` and the JSON error body. An empty token means the routes are
// disabled: 403 to everyone, so a missing configuration never opens them. A browser cannot send
// this header cross-site without a CORS preflight, which no route here answers, so a page the
// operator visits cannot use these routes either.
#pragma once

#include <string>

#include "http/message.h"

namespace donut::http {

Handler require_bearer_token(std::string token, Handler handler);

}  // namespace donut::http
