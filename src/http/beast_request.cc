#include "http/beast_request.h"

#include <boost/url/pct_string_view.hpp>

namespace donut::http {

Result<Request> to_request(boost::beast::http::request<boost::beast::http::string_body>&& raw,
                           std::string remote_address) {
  Request request;
  request.method = std::string(raw.method_string());
  const std::string_view target = raw.target();
  const auto question = target.find('?');
  const auto raw_path = target.substr(0, question);
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  auto decoded = boost::urls::make_pct_string_view(raw_path);
  if (!decoded || raw_path.empty() || raw_path.front() != '/') {
    return make_error(ErrorCode::invalid_argument, "malformed request target");
  }
  request.path = decoded->decode();
  request.headers.reserve(8);
  for (const auto& field : raw) {
    std::string name(field.name_string());
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(raw.body());
  request.remote_address = std::move(remote_address);
  return request;
}

}  // namespace donut::http
