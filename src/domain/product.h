// Products and their stock: the warehouse's catalogue as the domain sees it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/time.h"
#include "domain/replenishment.h"

namespace donut::domain {

// What an operator declares about a product (seed file, the admin API, `donut stock`). Stock is
// only applied when the product is created; later seeds never overwrite sold stock.
struct ProductSpec {
  ProductSpec() = default;
  // The settings are last and optional: a product restocks at zero unless told otherwise.
  ProductSpec(std::string id, std::string name, int64_t price_cents, int64_t initial_stock,
              int64_t restock_quantity, ReplenishmentSettings replenishment = {})
      : id(std::move(id)),
        name(std::move(name)),
        price_cents(price_cents),
        initial_stock(initial_stock),
        restock_quantity(restock_quantity),
        replenishment(replenishment) {}

  std::string id;
  std::string name;
  int64_t price_cents = 0;
  int64_t initial_stock = 0;
  // The least a restock asks the factory for (all it asks for under `at_zero`); 0 turns
  // restocking off.
  int64_t restock_quantity = 0;
  ReplenishmentSettings replenishment;
};

struct Product {
  std::string id;
  std::string name;
  int64_t price_cents = 0;
  int64_t stock = 0;
  int64_t restock_quantity = 0;
  // The restock on its way for this product, empty when none is open.
  std::string open_restock_id;
  // The operator's settings and what the warehouse learned, as the row keeps them, and the
  // policy's figures computed from them when the product was read.
  ReplenishmentState replenishment;
  ReplenishmentFigures figures;
};

}  // namespace donut::domain
