// Transport-neutral HTTP request and response, as the API handlers see them.
//
// The Beast server (http/server.h) and the AWS Lambda host both translate their own wire
// format into these, so a handler never depends on where the request came from. Header names
// are lower-case. Errors leave as `{"error":{"code","message"}}` with the status mapped from
// ErrorCode by `error_response`.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace donut::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;
  std::string path;   // decoded path, without the query
  std::string query;  // raw query string, without '?'
  Headers headers;
  std::string body;
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> path_params;  // filled by the Router

  const std::string* header(std::string_view lower_case_name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
};

// Sends the response; callable from any thread, exactly once.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request&&, Respond)>;

int status_for(ErrorCode code) noexcept;
Response json_response(int status, std::string body);
Response error_response(int status, std::string_view code, std::string_view message);
Response error_response(const Error& error);

}  // namespace donut::http
