#include "factory/simulator.h"

#include <random>

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/http_client.h"
#include "app/queue_consumer.h"
#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "codec/json_fields.h"
#include "http/bearer_token.h"

namespace donut::factory {
namespace json = boost::json;

namespace {

bool roll(double probability) {
  if (probability <= 0) return false;
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < probability;
}

http::Response message(int status, std::string_view text) {
  json::object body;
  body["message"] = text;
  return http::json_response(status, json::serialize(body));
}

}  // namespace

FactorySimulator::FactorySimulator(const ports::Clock& clock, Options options)
    : clock_(clock), options_(std::move(options)), scheduler_(2) {}

FactorySimulator::~FactorySimulator() {
  stop();
}

void FactorySimulator::stop() {
  scheduler_.stop();
}

void FactorySimulator::configure(const FactorySettings& settings) {
  std::lock_guard lock(mutex_);
  options_.settings = settings;
}

FactorySettings FactorySimulator::settings() const {
  std::lock_guard lock(mutex_);
  return options_.settings;
}

FactoryStats FactorySimulator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::string FactorySimulator::stats_json() const {
  const auto s = stats();
  const auto k = settings();
  json::object o;
  o["requests"] = s.requests;
  o["accepted"] = s.accepted;
  o["duplicates"] = s.duplicates;
  o["failed"] = s.failed;
  o["rejected"] = s.rejected;
  o["unauthorized"] = s.unauthorized;
  o["callbacks_sent"] = s.callbacks_sent;
  o["callback_failures"] = s.callback_failures;
  o["units_manufactured"] = s.units_manufactured;
  json::object config;
  config["manufacture_delay_ms"] = k.manufacture_delay.count();
  config["failure_rate"] = k.failure_rate;
  config["outage"] = k.outage;
  config["response_delay_ms"] = k.response_delay.count();
  o["config"] = std::move(config);
  return json::serialize(o);
}

void FactorySimulator::add_routes(http::Router& router) {
  router.add("POST", "/api/manufactures", "factory_manufactures",
             [this](http::Request&& request, http::Respond respond) {
               manufactures(std::move(request), std::move(respond));
             });
  router.add("GET", "/admin/stats", "factory_stats",
             http::require_bearer_token(options_.admin_token,
                                        [this](http::Request&&, http::Respond respond) {
                                          respond(http::json_response(200, stats_json()));
                                        }));
  router.add("PUT", "/admin/config", "factory_config",
             http::require_bearer_token(options_.admin_token,
                                        [this](http::Request&& request, http::Respond respond) {
                                          configure_from(std::move(request), std::move(respond));
                                        }));
}

void FactorySimulator::configure_from(http::Request&& request, http::Respond respond) {
  auto value = codec::parse_json(request.body);
  if (!value || !value->is_object()) {
    return respond(http::error_response(400, "invalid_argument", "expected a JSON object"));
  }
  const auto& o = value->get_object();
  FactorySettings next = settings();
  auto delay = codec::optional_int(o, "manufacture_delay_ms", next.manufacture_delay.count());
  auto response_delay = codec::optional_int(o, "response_delay_ms", next.response_delay.count());
  if (!delay || !response_delay || *delay < 0 || *response_delay < 0) {
    return respond(
        http::error_response(400, "invalid_argument", "delays must be non-negative integers (ms)"));
  }
  next.manufacture_delay = Millis(*delay);
  next.response_delay = Millis(*response_delay);
  if (const auto* rate = o.if_contains("failure_rate")) {
    if (!rate->is_number() || rate->to_number<double>() < 0 || rate->to_number<double>() > 1) {
      return respond(http::error_response(400, "invalid_argument",
                                          "failure_rate must be a number from 0 to 1"));
    }
    next.failure_rate = rate->to_number<double>();
  }
  if (const auto* outage = o.if_contains("outage")) {
    if (!outage->is_bool()) {
      return respond(http::error_response(400, "invalid_argument", "outage must be true or false"));
    }
    next.outage = outage->get_bool();
  }
  configure(next);
  spdlog::info("factory: config now delay={}ms failure_rate={} outage={} response_delay={}ms",
               next.manufacture_delay.count(), next.failure_rate, next.outage,
               next.response_delay.count());
  respond(http::json_response(200, stats_json()));
}

void FactorySimulator::manufactures(http::Request&& request, http::Respond respond) {
  const FactorySettings knobs = settings();
  {
    std::lock_guard lock(mutex_);
    ++stats_.requests;
  }
  const auto* timestamp = request.header(codec::kRequestTimestampHeader);
  const auto* signature = request.header(codec::kRequestSignatureHeader);
  http::Response response;
  if (auto from_shop = codec::verify_manufacture_request(
          options_.secret, timestamp ? *timestamp : "", signature ? *signature : "", request.body,
          clock_.now(), options_.max_skew);
      !from_shop) {
    std::lock_guard lock(mutex_);
    ++stats_.unauthorized;
    response = http::error_response(from_shop.error());
  } else if (knobs.outage) {
    std::lock_guard lock(mutex_);
    ++stats_.failed;
    response = message(503, "factory is down for maintenance");
  } else if (roll(knobs.failure_rate)) {
    std::lock_guard lock(mutex_);
    ++stats_.failed;
    response = message(500, "manufacturing line jammed");
  } else {
    response = accept(request, knobs.manufacture_delay);
  }
  if (knobs.response_delay.count() > 0) {
    scheduler_.run_after(knobs.response_delay,
                         [respond = std::move(respond), response = std::move(response)]() mutable {
                           respond(std::move(response));
                         });
  } else {
    respond(std::move(response));
  }
}

http::Response FactorySimulator::accept(const http::Request& request, Millis manufacture_delay) {
  auto decoded = codec::decode_manufacture_request(request.body);
  if (decoded && decoded->callback_url != options_.callback_url) {
    decoded = make_error(
        ErrorCode::invalid_argument,
        "CallbackUrl is not the shop this simulator serves (" + options_.callback_url + ")");
  }
  std::unique_lock lock(mutex_);
  if (!decoded) {
    ++stats_.rejected;
    return http::error_response(decoded.error());
  }
  auto order = std::move(*decoded);
  if (!seen_requests_.emplace(order.request_id, true).second) {
    ++stats_.duplicates;
    return message(200, "request " + order.request_id + " is already being manufactured");
  }
  ++stats_.accepted;
  stats_.units_manufactured += order.quantity;
  lock.unlock();
  auto answer = message(200, "manufacturing " + std::to_string(order.quantity) + " x " +
                                 order.product_id + " (request " + order.request_id + ")");
  scheduler_.run_after(manufacture_delay, [this, order = std::move(order)]() mutable {
    deliver(std::move(order), 1);
  });
  return answer;
}

void FactorySimulator::deliver(ports::ManufactureRequest order, int attempt) {
  const std::string body = codec::encode_manufacture_request(order);
  const int64_t timestamp = to_unix_ms(clock_.now()) / 1000;
  http_client::Request callback;
  callback.method = "POST";
  callback.url = options_.callback_url;
  callback.body = body;
  callback.timeout = options_.callback_timeout;
  callback.headers = {
      {"Content-Type", "application/json"},
      {"X-Factory-Timestamp", std::to_string(timestamp)},
      {"X-Factory-Signature", codec::sign_callback(options_.secret, timestamp, body)}};
  auto result = http_client::perform(callback);
  if (result && result->status >= 200 && result->status < 300) {
    std::lock_guard lock(mutex_);
    ++stats_.callbacks_sent;
    return;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.callback_failures;
  }
  const std::string why =
      result ? "HTTP " + std::to_string(result->status) : result.error().message;
  if (attempt >= options_.callback_attempts) {
    spdlog::error("factory: giving up on callback for request {} after {} attempts ({})",
                  order.request_id, attempt, why);
    return;
  }
  const auto delay = backoff_delay(attempt, options_.callback_retry, options_.callback_retry * 20);
  spdlog::warn("factory: callback for request {} failed ({}); retry in {} ms", order.request_id,
               why, delay.count());
  scheduler_.run_after(delay, [this, order = std::move(order), attempt]() mutable {
    deliver(std::move(order), attempt + 1);
  });
}

}  // namespace donut::factory
