#include "http/bearer_token.h"

#include "common/crypto.h"

namespace donut::http {

Handler require_bearer_token(std::string token, Handler handler) {
  return [expected = "Bearer " + token, disabled = token.empty(), handler = std::move(handler)](
             Request&& request, Respond respond) {
    if (disabled) {
      return respond(error_response(403, "forbidden", "admin routes are disabled"));
    }
    const auto* authorization = request.header("authorization");
    if (authorization == nullptr || !crypto::constant_time_equal(*authorization, expected)) {
      Response r = error_response(401, "unauthorized", "a valid bearer token is required");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    handler(std::move(request), std::move(respond));
  };
}

}  // namespace donut::http
