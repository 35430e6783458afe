// Validation of everything a client can send, independent of transport.
//
// Each check returns an `invalid_argument` Error whose message names the field and the rule,
// so the HTTP layer can pass it through to the caller unchanged.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/error.h"

namespace donut::domain {

// Product ids look like "CP-502101": 1..64 characters of [A-Za-z0-9._-].
Status validate_product_id(std::string_view id);

// A factory request id (the restock's id, a ULID, when the shop asked): 1..64 characters of
// [A-Za-z0-9._-], so that it names one path segment of the admin API as it is.
Status validate_request_id(std::string_view id);

// 1 <= quantity <= max_quantity (the shop's per-order limit).
Status validate_quantity(int64_t quantity, int64_t max_quantity);

// Idempotency keys: 1..128 printable ASCII characters without spaces.
Status validate_idempotency_key(std::string_view key);

// Stock levels set by an operator: 0 <= stock <= 1e12.
Status validate_stock_level(int64_t stock);

}  // namespace donut::domain
