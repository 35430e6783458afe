#include "adapters/http/http_factory_client.h"

#include <boost/json.hpp>

#include "adapters/http/http_client.h"
#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "codec/json_fields.h"
#include "common/deadline.h"

namespace donut::http_client {

Result<ports::FactoryAck> HttpFactoryClient::request_manufacture(
    const ports::ManufactureRequest& request) {
  // Under a deadline (a Lambda invocation's), the call gets only what is left of it; with too
  // little left it is not made (the factory may be slow to answer even when it accepts).
  const Millis timeout = bounded_by_deadline(options_.timeout);
  if (timeout < options_.shortest_call) {
    return make_error(ErrorCode::timeout,
                      "factory call not made: " + std::to_string(timeout.count()) +
                          " ms left before the deadline");
  }
  std::string body = codec::encode_manufacture_request(request);
  std::vector<std::pair<std::string, std::string>> headers;
  if (!request.traceparent.empty()) headers.emplace_back("traceparent", request.traceparent);
  if (!options_.secret.empty()) {
    const int64_t seconds = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
    headers.emplace_back(codec::kRequestTimestampHeader, std::to_string(seconds));
    headers.emplace_back(codec::kRequestSignatureHeader,
                         codec::sign_manufacture_request(options_.secret, seconds, body));
  }
  DONUT_ASSIGN_OR_RETURN(auto response,
                         http_client::post_json(options_.base_url + "/api/manufactures",
                                                std::move(body), headers, timeout));
  const long status = response.status;
  if (status >= 200 && status < 300) {
    ports::FactoryAck ack;
    auto body = codec::parse_json(response.body);
    if (body && body->is_object()) {
      if (const auto* message = body->get_object().if_contains("message");
          message != nullptr && message->is_string()) {
        ack.message = std::string(message->get_string());
      }
    }
    return ack;
  }
  const std::string what =
      "factory answered " + std::to_string(status) + ": " + response.body.substr(0, 200);
  if (status >= 500 || status == 408 || status == 429) {
    return make_error(ErrorCode::unavailable, what);
  }
  return make_error(ErrorCode::invalid_argument, what);
}

}  // namespace donut::http_client
