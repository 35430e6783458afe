// Wiring of the broker port: "embedded" (or empty) is the SQLite broker, amqp://... RabbitMQ,
// "aws" SNS + SQS with the AWS_* environment's credentials, region and endpoint.
// Errors: an unknown name or a malformed URL is `invalid_argument`.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "ports/broker.h"
#include "ports/clock.h"

namespace donut::sqlite {
class Database;
}

namespace donut::wiring {

struct BrokerSettings {
  // "embedded" (SQLite, the default), amqp://user:password@host:port/vhost (a cluster:
  // amqp://user:password@h1:5672,h2:5672/vhost), or "aws".
  std::string url;
  std::string aws_prefix = "donut-";  // AWS resource names: <prefix>factory-requests, ...
  std::string embedded_file;          // the embedded broker's file when it has no database yet
};

// The embedded broker reuses `embedded` (the warehouse's SQLite database) or opens
// `embedded_file` into it.
Result<std::unique_ptr<ports::Broker>> open_broker(const BrokerSettings& settings,
                                                   const ports::Clock& clock,
                                                   std::shared_ptr<sqlite::Database>& embedded);

}  // namespace donut::wiring
