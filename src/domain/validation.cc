#include "domain/validation.h"

#include <algorithm>
#include <string>

namespace donut::domain {
namespace {

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// 1..64 characters of [A-Za-z0-9._-]: an id that is one path segment as it is.
bool is_short_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), is_id_char);
}

}  // namespace

Status validate_product_id(std::string_view id) {
  if (!is_short_id(id)) {
    return make_error(ErrorCode::invalid_argument,
                      "product_id must be 1 to 64 characters of letters, digits, '-', '_' or '.'");
  }
  return ok();
}

Status validate_request_id(std::string_view id) {
  if (!is_short_id(id)) {
    return make_error(ErrorCode::invalid_argument,
                      "MessageAttributeRequestId must be 1 to 64 characters of letters, digits, "
                      "'-', '_' or '.'");
  }
  return ok();
}

Status validate_quantity(int64_t quantity, int64_t max_quantity) {
  if (quantity < 1 || quantity > max_quantity) {
    return make_error(ErrorCode::invalid_argument,
                      "quantity must be an integer from 1 to " + std::to_string(max_quantity));
  }
  return ok();
}

Status validate_idempotency_key(std::string_view key) {
  const bool printable =
      std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7F; });
  if (key.empty() || key.size() > 128 || !printable) {
    return make_error(ErrorCode::invalid_argument,
                      "Idempotency-Key must be 1 to 128 printable ASCII characters without spaces");
  }
  return ok();
}

Status validate_stock_level(int64_t stock) {
  if (stock < 0 || stock > 1'000'000'000'000) {
    return make_error(ErrorCode::invalid_argument,
                      "stock must be an integer from 0 to 1000000000000");
  }
  return ok();
}

}  // namespace donut::domain
