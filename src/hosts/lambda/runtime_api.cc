#include "hosts/lambda/runtime_api.h"

#include <charconv>
#include <cstdlib>

#include <boost/json.hpp>

#include "adapters/http/http_client.h"

namespace donut::lambda {
namespace {

std::string error_body(const std::string& type, const std::string& message) {
  boost::json::object o;
  o["errorType"] = type;
  o["errorMessage"] = message;
  return boost::json::serialize(o);
}

Status expect_accepted(const Result<http_client::Response>& response, const std::string& what) {
  if (!response) return response.error();
  if (response->status != 202) {
    return make_error(ErrorCode::unavailable, what + " answered " +
                                                  std::to_string(response->status) + ": " +
                                                  response->body.substr(0, 200));
  }
  return ok();
}

}  // namespace

Result<Invocation> RuntimeApi::next() {
  http_client::Request r;
  r.url = base_ + "/invocation/next";
  r.timeout = std::chrono::hours(12);  // blocks until an event arrives
  DONUT_ASSIGN_OR_RETURN(auto response, http_client::perform(r));
  if (response.status != 200) {
    return make_error(ErrorCode::unavailable,
                      "invocation/next answered " + std::to_string(response.status));
  }
  Invocation invocation;
  if (const auto* id = response.header("lambda-runtime-aws-request-id"))
    invocation.request_id = *id;
  if (const auto* deadline = response.header("lambda-runtime-deadline-ms")) {
    std::from_chars(deadline->data(), deadline->data() + deadline->size(), invocation.deadline_ms);
  }
  if (const auto* arn = response.header("lambda-runtime-invoked-function-arn"))
    invocation.function_arn = *arn;
  if (const auto* trace = response.header("lambda-runtime-trace-id")) invocation.trace_id = *trace;
  // A custom runtime exports the trace id for the invocation, as the AWS runtimes do, so X-Ray
  // and the SDKs it calls can link their segments to it.
  if (invocation.trace_id.empty()) {
    ::unsetenv("_X_AMZN_TRACE_ID");
  } else {
    ::setenv("_X_AMZN_TRACE_ID", invocation.trace_id.c_str(), 1);
  }
  if (invocation.request_id.empty()) {
    return make_error(ErrorCode::internal, "invocation/next gave no Lambda-Runtime-Aws-Request-Id");
  }
  invocation.event = std::move(response.body);
  return invocation;
}

Status RuntimeApi::respond(const std::string& request_id, const std::string& body) {
  http_client::Request r;
  r.method = "POST";
  r.url = base_ + "/invocation/" + request_id + "/response";
  r.body = body;
  r.headers = {{"Content-Type", "application/json"}};
  return expect_accepted(http_client::perform(r), "invocation response");
}

Status RuntimeApi::fail(const std::string& request_id, const std::string& error_type,
                        const std::string& message) {
  http_client::Request r;
  r.method = "POST";
  r.url = base_ + "/invocation/" + request_id + "/error";
  r.body = error_body(error_type, message);
  r.headers = {{"Content-Type", "application/json"},
               {"Lambda-Runtime-Function-Error-Type", error_type}};
  return expect_accepted(http_client::perform(r), "invocation error");
}

Status RuntimeApi::init_error(const std::string& error_type, const std::string& message) {
  http_client::Request r;
  r.method = "POST";
  r.url = base_ + "/init/error";
  r.body = error_body(error_type, message);
  r.headers = {{"Content-Type", "application/json"},
               {"Lambda-Runtime-Function-Error-Type", error_type}};
  return expect_accepted(http_client::perform(r), "init error");
}

}  // namespace donut::lambda
