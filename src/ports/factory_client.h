// Factory client port: asks the Legacy Factory API (Factory-States) to manufacture donuts.
//
// The request carries the factory contract's field names (docs/ARCHITECTURE.md, "The Legacy
// Factory contract") plus a request id the factory echoes back in its callback; `CallbackUrl`
// is where the factory reports the arrival.
// A call either is accepted (the factory will call back later) or fails with an Error:
// `unavailable`/`timeout` are worth retrying, anything else is not. Thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace donut::ports {

struct ManufactureRequest {
  std::string message_group_id = "stock-arrival-group";
  std::string product_id;
  int64_t quantity = 0;
  std::string factory_id;
  std::string requester;
  std::string request_id;  // our restock id; the callback carries it back
  std::string callback_url;
  std::string traceparent;  // W3C Trace Context header for the call (empty: none)
};

struct FactoryAck {
  std::string message;  // what the factory said
};

class FactoryClient {
 public:
  virtual ~FactoryClient() = default;
  virtual Result<FactoryAck> request_manufacture(const ManufactureRequest& request) = 0;
};

}  // namespace donut::ports
