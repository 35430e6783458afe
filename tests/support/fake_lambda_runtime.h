// A fake of the Lambda Runtime API over real HTTP (loopback), for the Lambda host's tests: it
// hands out queued events on GET .../invocation/next and records what the function answered.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "common/time.h"
#include "http/router.h"
#include "http/server.h"

namespace donut::testing {

class FakeLambdaRuntime {
 public:
  FakeLambdaRuntime() {
    router_.add("GET", "/2018-06-01/runtime/invocation/next", "next",
                [this](http::Request&&, http::Respond respond) {
                  std::unique_lock lock(mutex_);
                  changed_.wait(lock, [&] { return !events_.empty() || closing_; });
                  if (events_.empty()) return respond(http::json_response(500, "{}"));
                  auto [id, event, deadline_ms] = events_.front();
                  events_.pop_front();
                  http::Response r = http::json_response(200, event);
                  r.headers.emplace_back("Lambda-Runtime-Aws-Request-Id", id);
                  // As Lambda does: the deadline is the function's timeout from now.
                  const auto now =
                      std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
                  r.headers.emplace_back(
                      "Lambda-Runtime-Deadline-Ms",
                      std::to_string(to_unix_ms(now) + (deadline_ms > 0 ? deadline_ms : 30'000)));
                  r.headers.emplace_back("Lambda-Runtime-Trace-Id",
                                         "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
                  r.headers.emplace_back("Lambda-Runtime-Invoked-Function-Arn",
                                         "arn:aws:lambda:us-east-1:123456789012:function:donut");
                  respond(std::move(r));
                });
    router_.add("POST", "/2018-06-01/runtime/invocation/{id}/response", "response",
                [this](http::Request&& r, http::Respond respond) {
                  record(responses_, std::string(r.path_param("id")), r.body);
                  respond(http::json_response(202, R"({"status":"OK"})"));
                });
    router_.add("POST", "/2018-06-01/runtime/invocation/{id}/error", "error",
                [this](http::Request&& r, http::Respond respond) {
                  record(errors_, std::string(r.path_param("id")), r.body);
                  respond(http::json_response(202, R"({"status":"OK"})"));
                });
    router_.add("POST", "/2018-06-01/runtime/init/error", "init_error",
                [this](http::Request&& r, http::Respond respond) {
                  record(errors_, "init", r.body);
                  respond(http::json_response(202, R"({"status":"OK"})"));
                });
    http::Server::Options options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 6 * 1024 * 1024;
    server_ = std::make_unique<http::Server>(options, router_.handler());
    (void)server_->start();
  }

  ~FakeLambdaRuntime() {
    close();
    server_->stop();
  }

  // From now on `next` fails, which ends a function's Runtime API loop.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;  // releases handlers blocked in `next`
    }
    changed_.notify_all();
  }

  std::string host_port() const { return "127.0.0.1:" + std::to_string(server_->port()); }

  // `timeout_ms`: the function's time for this invocation (its deadline is that from now).
  void push(std::string request_id, std::string event, int64_t timeout_ms = 0) {
    {
      std::lock_guard lock(mutex_);
      events_.emplace_back(std::move(request_id), std::move(event), timeout_ms);
    }
    changed_.notify_all();
  }
  std::string response(const std::string& id) { return get(responses_, id); }
  // Waits for the function's response (or error) to invocation `id`; empty after `timeout`.
  std::string wait_for(const std::string& id, Millis timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return responses_.count(id) + errors_.count(id) > 0; });
    if (auto it = responses_.find(id); it != responses_.end()) return it->second;
    if (auto it = errors_.find(id); it != errors_.end()) return it->second;
    return {};
  }
  std::string error(const std::string& id) { return get(errors_, id); }

 private:
  void record(std::map<std::string, std::string>& into, std::string id, std::string body) {
    {
      std::lock_guard lock(mutex_);
      into[std::move(id)] = std::move(body);
    }
    changed_.notify_all();
  }
  std::string get(std::map<std::string, std::string>& from, const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = from.find(id);
    return it == from.end() ? std::string() : it->second;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool closing_ = false;
  std::deque<std::tuple<std::string, std::string, int64_t>> events_;  // id, event, timeout
  std::map<std::string, std::string> responses_, errors_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace donut::testing
