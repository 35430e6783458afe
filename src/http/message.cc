#include "http/message.h"

#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>
#include <spdlog/spdlog.h>

namespace donut::http {

const std::string* Request::header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return &value;
  }
  return nullptr;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto params = boost::urls::parse_query(query);
  if (!params) return std::nullopt;
  for (const auto& param : *params) {
    if (param.key == name && param.has_value) return std::string(param.value);
  }
  return std::nullopt;
}

std::string_view Request::path_param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

int status_for(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return 400;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::unauthorized:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::too_large:
      return 413;
    case ErrorCode::unsupported_media:
      return 415;
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::timeout:
      return 504;
    case ErrorCode::internal:
      return 500;
  }
  return 500;
}

Response json_response(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response error_response(int status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object body;
  body["error"] = std::move(error);
  return json_response(status, boost::json::serialize(body));
}

Response error_response(const Error& error) {
  // Client errors explain themselves; server-side failures are logged in full but answered
  // with a generic message, so hosts, ports and engine errors never reach the caller.
  switch (error.code) {
    case ErrorCode::unavailable:
      spdlog::warn("answering 503: {}", error.message);
      return error_response(503, to_string(error.code),
                            "a service this request needs is unavailable; retry shortly");
    case ErrorCode::timeout:
      spdlog::warn("answering 504: {}", error.message);
      return error_response(504, to_string(error.code),
                            "a service this request needs did not confirm in time; the request "
                            "may have been applied: retry it with the same Idempotency-Key");
    case ErrorCode::internal:
      spdlog::error("answering 500: {}", error.message);
      return error_response(500, to_string(error.code), "internal error");
    default:
      return error_response(status_for(error.code), to_string(error.code), error.message);
  }
}

}  // namespace donut::http
