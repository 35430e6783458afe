// A whole local system on free ports in a temporary folder, with fast timings, plus the
// HTTP helpers the integration tests share.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/http/http_client.h"
#include "hosts/local/local_system.h"
#include "support/temp_dir.h"

namespace donut::testing {

inline local::LocalConfig fast_config(const TempDir& dir) {
  local::LocalConfig c;
  c.roles = local::Roles::all();
  c.data_dir = dir.path().string();
  c.http.port = 0;
  c.factory.simulator_port = 0;
  c.http.threads = 2;
  c.factory.delay_ms = 100;
  c.visibility_timeout_ms = 2'000;
  c.retry_base_ms = 50;
  c.retry_cap_ms = 300;
  c.relay_interval_ms = 50;
  c.dlq_check_interval_ms = 100;
  c.restock_lease_ms = 5'000;
  c.factory.timeout_ms = 3'000;
  c.seed = false;
  return c;
}

struct Answer {
  long status = 0;
  boost::json::value json;
  std::string body;
  http_client::Response raw;
};

inline Answer to_answer(Result<http_client::Response> response) {
  Answer a;
  if (!response) return a;
  a.status = response->status;
  a.body = response->body;
  boost::system::error_code ec;
  a.json = boost::json::parse(a.body, ec);
  a.raw = std::move(*response);
  return a;
}

inline Answer post_order(const std::string& url, const std::string& product, int64_t quantity,
                         const std::string& key = "") {
  boost::json::object body;
  body["product_id"] = product;
  body["quantity"] = quantity;
  std::vector<std::pair<std::string, std::string>> headers;
  if (!key.empty()) headers.emplace_back("Idempotency-Key", key);
  return to_answer(
      http_client::post_json(url + "/v1/orders", boost::json::serialize(body), headers));
}

inline Answer request(std::string method, const std::string& url, std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  http_client::Request r;
  r.method = std::move(method);
  r.url = url;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return to_answer(http_client::perform(r));
}

// Polls `condition` until it holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

inline std::string json_string(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  const auto* field = v.get_object().if_contains(key);
  return field && field->is_string() ? std::string(field->get_string()) : std::string();
}

inline std::string error_code(const Answer& a) {
  if (!a.json.is_object()) return {};
  const auto* error = a.json.get_object().if_contains("error");
  return error && error->is_object() ? json_string(*error, "code") : std::string();
}

// Whether an e-mail in the file outbox `mail_dir` has a subject containing `fragment`.
inline bool outbox_has_subject(const std::string& mail_dir, const std::string& fragment) {
  if (!std::filesystem::exists(mail_dir)) return false;
  for (const auto& entry : std::filesystem::directory_iterator(mail_dir)) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Subject: ", 0) == 0 && line.find(fragment) != std::string::npos) return true;
    }
  }
  return false;
}

// A test that runs one local system: start it, add products, read stock and queue depths.
class LocalSystemTest : public ::testing::Test {
 protected:
  void start(local::LocalConfig config) {
    auto system = local::LocalSystem::start(std::move(config));
    ASSERT_TRUE(system) << system.error().message;
    system_ = std::move(*system);
    url_ = system_->url();
  }
  void add_product(std::string id, int64_t stock, int64_t restock) {
    ASSERT_TRUE(system_->store().upsert_product({id, id, 250, stock, restock}));
  }
  int64_t stock(const std::string& id) { return system_->store().get_product(id)->stock; }
  int64_t depth(const std::string& queue) {
    auto s = system_->broker().stats(queue);
    return s ? s->visible + s->in_flight + s->delayed : -1;
  }

  TempDir dir_;
  std::unique_ptr<local::LocalSystem> system_;
  std::string url_;
};

}  // namespace donut::testing
