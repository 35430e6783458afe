// Reads the `.req` files of AWS's SigV4 test suite: "METHOD target HTTP/1.1", header lines
// "Name:value" (a line starting with whitespace continues the previous value), a blank line,
// then the body. Also used by the SigV4 fuzz target, so it must accept any bytes.
#pragma once

#include <string>
#include <string_view>

#include "aws/sigv4.h"

namespace donut::testing {

inline sigv4::HttpRequestToSign parse_request_file(std::string_view text) {
  sigv4::HttpRequestToSign r;
  auto next_line = [&](std::string_view& rest) {
    const auto end = rest.find('\n');
    auto line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view rest = text;
  auto request_line = next_line(rest);
  const auto first_space = request_line.find(' ');
  const auto version = request_line.rfind(" HTTP/");
  r.method = std::string(request_line.substr(0, first_space));
  if (first_space != std::string_view::npos) {
    const auto target_end =
        version != std::string_view::npos && version > first_space ? version : request_line.size();
    const auto target = request_line.substr(first_space + 1, target_end - first_space - 1);
    const auto question = target.find('?');
    r.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) r.query = std::string(target.substr(question + 1));
  }
  while (!rest.empty()) {
    auto line = next_line(rest);
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !r.headers.empty()) {
      r.headers.back().second += " " + std::string(line);
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  r.body = std::string(rest);
  return r;
}

}  // namespace donut::testing
