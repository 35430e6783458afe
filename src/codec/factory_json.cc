#include "codec/factory_json.h"

#include <charconv>

#include <boost/json.hpp>

#include "codec/json_fields.h"

namespace donut::codec {
namespace json = boost::json;

namespace {

constexpr std::string_view kGroup = "MessageGroupId";
constexpr std::string_view kProduct = "MessageAttributeProductId";
constexpr std::string_view kCount = "MessageAttributeProductCnt";
constexpr std::string_view kFactory = "MessageAttributeFactoryId";
constexpr std::string_view kRequester = "MessageAttributeRequester";
constexpr std::string_view kRequestId = "MessageAttributeRequestId";
constexpr std::string_view kCallback = "CallbackUrl";

// The count as a JSON integer or as a string of decimal digits.
Result<int64_t> lenient_count(const json::object& o) {
  const auto* value = o.if_contains(kCount);
  if (value != nullptr && value->is_string()) {
    const auto& text = value->get_string();
    int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return make_error(ErrorCode::invalid_argument,
                        "field 'MessageAttributeProductCnt' must be an integer");
    }
    return parsed;
  }
  return required_int(o, kCount);
}

}  // namespace

std::string encode_manufacture_request(const ports::ManufactureRequest& r) {
  json::object o;
  o[kGroup] = r.message_group_id;
  o[kProduct] = r.product_id;
  o[kCount] = r.quantity;
  o[kFactory] = r.factory_id;
  o[kRequester] = r.requester;
  o[kRequestId] = r.request_id;
  o[kCallback] = r.callback_url;
  return json::serialize(o);
}

Result<ports::ManufactureRequest> decode_manufacture_request(std::string_view text) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(text));
  DONUT_ASSIGN_OR_RETURN(const json::object* object, as_object(value, "manufacture request"));
  const json::object& o = *object;
  DONUT_RETURN_IF_ERROR(
      only_fields(o, {kGroup, kProduct, kCount, kFactory, kRequester, kRequestId, kCallback}));
  ports::ManufactureRequest r;
  DONUT_ASSIGN_OR_RETURN(r.message_group_id, optional_string(o, kGroup));
  DONUT_ASSIGN_OR_RETURN(r.product_id, required_string(o, kProduct));
  DONUT_ASSIGN_OR_RETURN(r.quantity, lenient_count(o));
  DONUT_ASSIGN_OR_RETURN(r.factory_id, optional_string(o, kFactory));
  DONUT_ASSIGN_OR_RETURN(r.requester, optional_string(o, kRequester));
  DONUT_ASSIGN_OR_RETURN(r.request_id, required_string(o, kRequestId));
  DONUT_ASSIGN_OR_RETURN(r.callback_url, required_string(o, kCallback));
  if (r.product_id.empty()) {
    return make_error(ErrorCode::invalid_argument, "MessageAttributeProductId is empty");
  }
  if (r.request_id.empty() || r.request_id.size() > 64) {
    return make_error(ErrorCode::invalid_argument,
                      "MessageAttributeRequestId must be 1 to 64 characters");
  }
  if (r.quantity <= 0 || r.quantity > 1'000'000) {
    return make_error(ErrorCode::invalid_argument,
                      "MessageAttributeProductCnt must be from 1 to 1000000");
  }
  if (r.callback_url.empty())
    return make_error(ErrorCode::invalid_argument, "CallbackUrl is empty");
  return r;
}

Result<FactoryCallback> decode_factory_callback(std::string_view text) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(text));
  DONUT_ASSIGN_OR_RETURN(const json::object* object, as_object(value, "callback"));
  const json::object& o = *object;
  FactoryCallback c;
  DONUT_ASSIGN_OR_RETURN(c.product_id, required_string(o, kProduct));
  DONUT_ASSIGN_OR_RETURN(c.quantity, lenient_count(o));
  DONUT_ASSIGN_OR_RETURN(c.factory_id, optional_string(o, kFactory));
  DONUT_ASSIGN_OR_RETURN(c.request_id, optional_string(o, kRequestId));
  if (c.quantity <= 0 || c.quantity > 1'000'000) {
    return make_error(ErrorCode::invalid_argument,
                      "MessageAttributeProductCnt must be from 1 to 1000000");
  }
  return c;
}

}  // namespace donut::codec
