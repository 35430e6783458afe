// The store port's contract fixture (ports/store.h). The tests are in store_contract_test.cc;
// each engine instantiates them in its own file (store_engines_local.cc, store_engines_mysql.cc).
#pragma once

#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "common/ids.h"
#include "ports/store.h"
#include "support/temp_dir.h"

namespace donut {

using domain::OrderRequest;
using domain::OrderStatus;

struct StoreEngine {
  std::string name;
  std::function<std::unique_ptr<ports::Store>(const ports::Clock&, testing::TempDir&)> make;
};

inline std::ostream& operator<<(std::ostream& out, const StoreEngine& engine) {
  return out << engine.name;
}

class StoreContract : public ::testing::TestWithParam<StoreEngine> {
 protected:
  void SetUp() override {
    store_ = GetParam().make(clock_, dir_);
    ASSERT_TRUE(store_->upsert_product({"CP-1", "Glazed", 250, 10, 5}));
    ASSERT_TRUE(store_->upsert_product({"CP-2", "Plain", 200, 3, 0}));  // restocking off
  }

  OrderRequest order(std::string product, int64_t quantity, std::string key = "") {
    return {new_id(), std::move(product), quantity, std::move(key)};
  }

  std::vector<domain::OrderOutcome> place(std::vector<OrderRequest> requests) {
    auto outcomes = store_->place_orders(requests);
    EXPECT_TRUE(outcomes) << outcomes.error().message;
    return outcomes ? *outcomes : std::vector<domain::OrderOutcome>{};
  }

  int64_t stock(std::string_view product) { return store_->get_product(product)->stock; }

  std::vector<ports::OutboxEntry> outbox() { return *store_->pending_outbox(100); }

  clock::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<ports::Store> store_;
};

}  // namespace donut
