// The AWS Lambda Runtime API client of a custom runtime (provided.al2023): the loop a
// `bootstrap` runs is `next` -> handle -> `respond` or `fail`, forever; `init_error` reports a
// function that cannot start. See the Lambda docs, "Using the Lambda runtime API for custom
// runtimes". The endpoint comes from AWS_LAMBDA_RUNTIME_API ("host:port").
// Not thread-safe: one loop per process, as Lambda runs one invocation at a time.
#pragma once

#include <string>

#include "common/error.h"

namespace donut::lambda {

struct Invocation {
  std::string request_id;   // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms (Unix ms)
  std::string function_arn;
  std::string trace_id;  // Lambda-Runtime-Trace-Id, also exported as _X_AMZN_TRACE_ID
  std::string event;     // the JSON event
};

class RuntimeApi {
 public:
  explicit RuntimeApi(std::string host_port)
      : base_("http://" + std::move(host_port) + "/2018-06-01/runtime") {}

  Result<Invocation> next();
  Status respond(const std::string& request_id, const std::string& body);
  Status fail(const std::string& request_id, const std::string& error_type,
              const std::string& message);
  Status init_error(const std::string& error_type, const std::string& message);

 private:
  std::string base_;
};

}  // namespace donut::lambda
