#include "domain/events.h"

#include "common/overloaded.h"

namespace donut::domain {

std::string_view event_type(const Event& event) noexcept {
  return std::visit(Overloaded{
                        [](const StockEmpty&) { return kStockEmptyType; },
                        [](const RestockRequested&) { return kRestockRequestedType; },
                        [](const StockArrived&) { return kStockArrivedType; },
                    },
                    event);
}

const std::string& event_id(const Event& event) noexcept {
  return std::visit([](const auto& e) -> const std::string& { return e.event_id; }, event);
}

const std::string& event_product_id(const Event& event) noexcept {
  return std::visit([](const auto& e) -> const std::string& { return e.product_id; }, event);
}

const std::string& event_restock_id(const Event& event) noexcept {
  return std::visit([](const auto& e) -> const std::string& { return e.restock_id; }, event);
}

}  // namespace donut::domain
