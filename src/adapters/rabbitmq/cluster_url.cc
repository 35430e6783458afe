#include "adapters/rabbitmq/cluster_url.h"

#include <algorithm>

#include <boost/url/parse.hpp>

namespace donut::rabbitmq {

Result<Settings> Settings::from_url(std::string_view text) {
  const auto fail = [] {
    return make_error(ErrorCode::invalid_argument,
                      "expected amqp://user:password@host:port[,host:port...]/vhost");
  };
  // Several nodes share the credentials and the vhost: parse the URL with its first node, then
  // each node as the authority of its own URL.
  constexpr std::string_view kScheme = "amqp://";
  if (!text.starts_with(kScheme)) return fail();
  const auto rest = text.substr(kScheme.size());
  const auto authority_end = std::min(rest.find('/'), rest.size());
  const auto authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  const auto userinfo =
      at == std::string_view::npos ? std::string_view{} : authority.substr(0, at + 1);
  const auto hosts = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::vector<std::string_view> listed;
  for (std::size_t start = 0;;) {
    const auto comma = hosts.find(',', start);
    listed.push_back(hosts.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  Settings s;
  s.nodes.clear();
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const std::string one = std::string(kScheme) + std::string(userinfo) + std::string(listed[i]) +
                            std::string(rest.substr(authority_end));
    auto url = boost::urls::parse_uri(one);
    if (!url || url->scheme() != "amqp" || (listed.size() > 1 && url->host().empty())) {
      return fail();
    }
    if (i == 0) {
      if (url->has_userinfo()) {
        s.user = url->user();
        s.password = url->password();
      }
      std::string path = url->path();
      if (path.size() > 1) s.vhost = path.substr(1);
    }
    Node node;
    if (!url->host().empty()) node.host = url->host();
    if (url->has_port()) node.port = url->port_number();
    s.nodes.push_back(std::move(node));
  }
  return s;
}

std::string Settings::describe_nodes() const {
  std::string text;
  for (const auto& node : nodes) {
    if (!text.empty()) text += ',';
    text += node.host + ":" + std::to_string(node.port);
  }
  return text;
}

}  // namespace donut::rabbitmq
