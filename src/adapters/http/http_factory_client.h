// Factory client port over HTTP: POST /api/manufactures of the Legacy Factory API.
//
// With a secret, each request is signed with it (X-Donut-Timestamp, X-Donut-Signature over the
// exact body sent; codec/factory_signature.h), so a factory that checks — the simulator does —
// knows the request comes from the shop; a factory that does not ignores the two headers.
//
// 2xx: accepted. 5xx, 408, 429 and transport failures: `unavailable`/`timeout` (retry later).
// Other 4xx: `invalid_argument` (the factory refused the request; retrying will not help, the
// message ends in the dead-letter queue for an operator to look at). Under a deadline
// (common/deadline.h) a call waits at most what is left of it, and is not made with less than
// `shortest_call` left (`timeout`).
#pragma once

#include <string>

#include "common/time.h"
#include "ports/factory_client.h"

namespace donut::http_client {

class HttpFactoryClient final : public ports::FactoryClient {
 public:
  struct Options {
    std::string base_url = "http://127.0.0.1:8081";
    Millis timeout = std::chrono::seconds(10);
    Millis shortest_call = std::chrono::seconds(1);
    std::string secret{};  // the callback secret; empty: requests go unsigned
  };
  explicit HttpFactoryClient(Options options) : options_(std::move(options)) {}

  Result<ports::FactoryAck> request_manufacture(const ports::ManufactureRequest& request) override;

 private:
  Options options_;
};

}  // namespace donut::http_client
