#include "domain/order.h"

namespace donut::domain {

std::string_view to_string(OrderStatus status) noexcept {
  switch (status) {
    case OrderStatus::sold:
      return "sold";
    case OrderStatus::out_of_stock:
      return "out_of_stock";
    case OrderStatus::unknown_product:
      return "unknown_product";
    case OrderStatus::key_reused:
      return "key_reused";
  }
  return "unknown";
}

std::optional<OrderStatus> parse_order_status(std::string_view text) noexcept {
  for (auto status : {OrderStatus::sold, OrderStatus::out_of_stock, OrderStatus::unknown_product,
                      OrderStatus::key_reused}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace donut::domain
