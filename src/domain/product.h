// Products and their stock: the warehouse's catalogue as the domain sees it.
#pragma once

#include <cstdint>
#include <string>

#include "common/time.h"

namespace donut::domain {

// What an operator declares about a product (seed file, `donut stock set`). Stock is only
// applied when the product is created; later seeds never overwrite sold stock.
struct ProductSpec {
  std::string id;
  std::string name;
  int64_t price_cents = 0;
  int64_t initial_stock = 0;
  // How many donuts to ask the factory for when this product runs out; 0 turns restocking off.
  int64_t restock_quantity = 0;
};

struct Product {
  std::string id;
  std::string name;
  int64_t price_cents = 0;
  int64_t stock = 0;
  int64_t restock_quantity = 0;
  // The restock on its way for this product, empty when none is open.
  std::string open_restock_id;
};

}  // namespace donut::domain
