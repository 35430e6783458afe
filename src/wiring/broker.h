// Wiring of the broker port: "embedded" (or empty) is the SQLite broker, amqp://... RabbitMQ,
// "aws" SNS + SQS with the AWS_* environment's credentials, region and endpoint. The engine is
// chosen from a small table (broker.cc); the AWS engine's opener lives in a library of its own.
// Errors: an unknown name or a malformed URL is `invalid_argument`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/error.h"
#include "ports/broker.h"
#include "ports/clock.h"

namespace donut::wiring {

struct BrokerSettings {
  // "embedded" (SQLite, the default), amqp://user:password@host:port/vhost (a cluster:
  // amqp://user:password@h1:5672,h2:5672/vhost), or "aws".
  std::string url;
  std::string aws_prefix = "donut-";  // AWS resource names: <prefix>factory-requests, ...
  std::string embedded_file;          // the embedded broker's file when it has no database yet
  // "aws" only: what the deployment names (Terraform's outputs), by logical name. A topic or
  // queue not named here is found by <aws_prefix><name>, and created by `declare` only when
  // `aws_manage_resources` is set (local runs; a deployment's resources are Terraform's).
  std::map<std::string, std::string, std::less<>> aws_topic_arns;
  std::map<std::string, std::string, std::less<>> aws_queue_urls;
  bool aws_manage_resources = true;

  bool is_embedded() const { return url.empty() || url == "embedded"; }
};

// The embedded broker opens `embedded_file`; to share the warehouse's SQLite file with it, open
// both with open_storage (storage.h).
Result<std::unique_ptr<ports::Broker>> open_broker(const BrokerSettings& settings,
                                                   const ports::Clock& clock);

// The "aws" engine alone (its own library, donut_wiring_aws), for a host that links no other:
// the Lambda functions.
Result<std::unique_ptr<ports::Broker>> open_aws_broker(const BrokerSettings& settings,
                                                       const ports::Clock& clock);

// The amqp:// engine (rabbitmq_broker.cc); on a build without rabbitmq-c (DONUT_WITH_RABBITMQ
// off), `invalid_argument` saying so (rabbitmq_broker_left_out.cc).
Result<std::unique_ptr<ports::Broker>> open_rabbitmq_broker(const BrokerSettings& settings,
                                                            const ports::Clock& clock);

}  // namespace donut::wiring
