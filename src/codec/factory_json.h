// JSON of the Legacy Factory API contract (Factory-States), with the field names the contract
// fixes (docs/ARCHITECTURE.md, "The Legacy Factory contract"):
//
//   POST /api/manufactures
//   {"MessageGroupId":"stock-arrival-group","MessageAttributeProductId":"CP-502101",
//    "MessageAttributeProductCnt":10,"MessageAttributeFactoryId":"FF-500293",
//    "MessageAttributeRequester":"donut-states","MessageAttributeRequestId":"01J...",
//    "CallbackUrl":"http://127.0.0.1:8080/v1/stock-arrivals"}
//
// The callback carries the same attributes. `MessageAttributeRequestId` (the restock id) is
// our addition and the factory must echo it: it is the only identity of an arrival, and the
// callback's signature covers it (app/arrivals.h). A legacy factory may send the count as a
// numeric string, so the decoder accepts both.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "ports/factory_client.h"

namespace donut::codec {

std::string encode_manufacture_request(const ports::ManufactureRequest& request);
// Strict, for the simulator's intake of requests: unknown fields, a missing request id or
// callback URL are refused.
Result<ports::ManufactureRequest> decode_manufacture_request(std::string_view json);

// The factory's callback body: the same attributes as the request.
struct FactoryCallback {
  std::string product_id;
  int64_t quantity = 0;
  std::string factory_id;
  std::string request_id;  // empty when the factory did not echo it (the intake refuses that)
};
Result<FactoryCallback> decode_factory_callback(std::string_view json);

}  // namespace donut::codec
