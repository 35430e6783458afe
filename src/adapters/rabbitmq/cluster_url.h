// Where a RabbitMQ broker is: the nodes of a cluster, the credentials and the virtual host they
// share, parsed from one URL:
//
//   amqp://user:password@host:port/vhost                 one node
//   amqp://user:password@h1:5672,h2:5673,h3/vhost        a cluster (5672 when a port is absent)
//
// User, password and vhost are percent-decoded. Errors: anything else (another scheme, an
// empty node in the list, a malformed authority) is `invalid_argument`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace donut::rabbitmq {

struct Settings {
  struct Node {
    std::string host = "127.0.0.1";
    int port = 5672;
  };
  // A cluster's nodes: a connection goes to the node that answered last, and to the next one in
  // this order when that one cannot be reached.
  std::vector<Node> nodes{Node{}};
  std::string user = "guest";
  std::string password = "guest";
  std::string vhost = "/";
  // amqp://user:pass@host:port/vhost, or several nodes: amqp://user:pass@h1:5672,h2:5673/vhost
  static Result<Settings> from_url(std::string_view url);
  std::string describe_nodes() const;  // "h1:5672,h2:5673"
};

}  // namespace donut::rabbitmq
