// Orders: what a customer asks for and what the warehouse answered.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.h"

namespace donut::domain {

struct OrderRequest {
  std::string order_id;  // chosen by the caller (a ULID), used only if the order is sold
  std::string product_id;
  int64_t quantity = 0;
  std::string idempotency_key;  // empty: not idempotent
};

enum class OrderStatus {
  sold,             // stock decreased, order row written
  out_of_stock,     // not enough stock; a restock is on its way (restock_id) unless disabled
  unknown_product,  // no such product
  key_reused,       // the idempotency key was first used for a different product or quantity
};

struct OrderOutcome {
  OrderStatus status = OrderStatus::sold;
  std::string order_id;  // sold: the order's id
  std::string product_id;
  int64_t quantity = 0;
  int64_t stock_left = 0;       // stock right after this order was decided
  TimePoint decided_at{};       // when the warehouse decided (the order's creation time if sold)
  std::string restock_id;       // out_of_stock: the restock that will refill the shelf
  bool replayed = false;        // answered from the idempotency record of an earlier request
  bool restock_opened = false;  // this order opened `restock_id` (never true on a replay)
};

struct Order {
  std::string id;
  std::string product_id;
  int64_t quantity = 0;
  TimePoint created_at{};
};

std::string_view to_string(OrderStatus status) noexcept;
// The inverse of to_string, for stored outcomes (idempotency records); nullopt for other text.
std::optional<OrderStatus> parse_order_status(std::string_view text) noexcept;

}  // namespace donut::domain
