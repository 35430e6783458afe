// A scripted AWS endpoint over real HTTP on loopback: answers each request with the next canned
// reply (500 when none is left) and records the requests, for what the emulators cannot show.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "http/server.h"

namespace donut::testing {

class ScriptedAws {
 public:
  struct Reply {
    int status;
    std::string body;
    http::Headers headers;
  };
  ScriptedAws() {
    http::Server::Options options;
    options.port = 0;
    options.threads = 1;
    server_ =
        std::make_unique<http::Server>(options, [this](http::Request&& r, http::Respond respond) {
          std::lock_guard lock(mutex_);
          requests_.push_back(std::move(r));
          Reply reply = replies_.empty() ? Reply{500, "{}", {}} : replies_.front();
          if (!replies_.empty()) replies_.pop_front();
          http::Response response = http::json_response(reply.status, reply.body);
          response.headers = reply.headers;
          respond(std::move(response));
        });
    EXPECT_TRUE(server_->start());
  }
  ~ScriptedAws() { server_->stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  void reply(int status, std::string body, http::Headers headers = {}) {
    std::lock_guard lock(mutex_);
    replies_.push_back({status, std::move(body), std::move(headers)});
  }
  std::vector<http::Request> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::deque<Reply> replies_;
  std::vector<http::Request> requests_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace donut::testing
