// Domain events. They leave the warehouse through the transactional outbox and travel the
// broker as JSON (see codec/events_json.h); consumers must tolerate duplicates.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "common/time.h"

namespace donut::domain {

// A restock opened: a sale emptied the shelf or left it at or below its reorder point, or an
// order was refused. (The type keeps the name it had when only an empty shelf opened one.)
struct StockEmpty {
  std::string event_id;
  std::string product_id;
  std::string restock_id;
  int64_t restock_quantity = 0;  // how many to ask the factory for
  int64_t stock_left = 0;        // on the shelf when it opened (0: the shelf is empty)
  TimePoint occurred_at{};
};

// The factory accepted a manufacture request for a restock.
struct RestockRequested {
  std::string event_id;
  std::string product_id;
  std::string restock_id;
  int64_t quantity = 0;
  TimePoint occurred_at{};
};

// A manufactured batch was added to the stock.
struct StockArrived {
  std::string event_id;
  std::string product_id;
  std::string restock_id;
  std::string request_id;
  int64_t quantity = 0;
  int64_t stock_after = 0;
  TimePoint occurred_at{};
};

using Event = std::variant<StockEmpty, RestockRequested, StockArrived>;

inline constexpr std::string_view kStockEmptyType = "stock.empty";
inline constexpr std::string_view kRestockRequestedType = "restock.requested";
inline constexpr std::string_view kStockArrivedType = "stock.arrived";

// The topic every warehouse event is published to (through the outbox).
inline constexpr std::string_view kStockEventsTopic = "stock-events";

std::string_view event_type(const Event& event) noexcept;
const std::string& event_id(const Event& event) noexcept;
const std::string& event_product_id(const Event& event) noexcept;
const std::string& event_restock_id(const Event& event) noexcept;

}  // namespace donut::domain
