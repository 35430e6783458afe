#include "api/json_body.h"

#include <algorithm>
#include <cctype>

namespace donut::api {

bool is_json(const http::Request& request) {
  const auto* type = request.header("content-type");
  if (type == nullptr) return false;
  std::string_view value = *type;
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value.size() == 16 && std::equal(value.begin(), value.end(), "application/json",
                                          [](char a, char b) { return std::tolower(a) == b; });
}

http::Handler json_body_only(http::Handler handler) {
  return [handler = std::move(handler)](http::Request&& request, http::Respond respond) {
    if (!is_json(request)) {
      return respond(
          http::error_response(415, "unsupported_media", "Content-Type must be application/json"));
    }
    handler(std::move(request), std::move(respond));
  };
}

}  // namespace donut::api
