// The store contract for the replenishment policy (ports/store.h; the rule is
// domain/replenishment.h): the settings an operator sets, the state the sales and arrivals teach,
// kept exactly in the product row, and the restock the policy opens, on every engine.
// Instantiated with the other contract tests (store_engines_*.cc).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contract/store_contract.h"
#include "domain/replenishment.h"

namespace donut {
namespace {

using domain::ReplenishmentPolicy;
using domain::ReplenishmentSettings;
using domain::ReplenishmentState;

constexpr ReplenishmentSettings kReorderPoint{ReplenishmentPolicy::reorder_point, 400, 9700};

TEST_P(StoreContract, ReplenishmentSettingsAreKeptAndANewProductRestocksAtZero) {
  const auto plain = *store_->get_product("CP-1");
  EXPECT_EQ(plain.replenishment, ReplenishmentState{}) << "at_zero, nothing learned";
  EXPECT_EQ(plain.figures.rule.reorder_point, 0);
  EXPECT_EQ(plain.figures.rule.order_quantity, 5);
  EXPECT_EQ(plain.figures.max_restock_quantity, 50);

  ASSERT_TRUE(store_->upsert_product({"CP-3", "Jam", 300, 40, 10, kReorderPoint}));
  const auto jam = *store_->get_product("CP-3");
  EXPECT_EQ(jam.replenishment.settings, kReorderPoint);
  EXPECT_EQ(jam.figures.max_restock_quantity, 400);
  EXPECT_EQ(jam.figures.lead_time, domain::kLeadTimePrior);
  const auto listed = *store_->list_products();
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[2].replenishment.settings, kReorderPoint);
}

TEST_P(StoreContract, SetReplenishmentChangesTheSettingsOnlyAndChecksThem) {
  place({order("CP-1", 2), order("CP-1", 1)});  // some demand learned
  const auto before = *store_->get_product("CP-1");
  ASSERT_GT(before.replenishment.demand.fast_micros, 0);

  auto changed = store_->set_replenishment("CP-1", kReorderPoint);
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->replenishment.settings, kReorderPoint);
  EXPECT_EQ(changed->replenishment.demand, before.replenishment.demand) << "what it learned stays";
  EXPECT_EQ(changed->stock, 7);
  EXPECT_EQ(store_->get_product("CP-1")->replenishment.settings, kReorderPoint);

  const auto below =
      store_->set_replenishment("CP-1", {ReplenishmentPolicy::reorder_point, 4, 9500});
  ASSERT_FALSE(below);
  EXPECT_EQ(below.error().code, ErrorCode::invalid_argument) << "below the restock quantity, 5";
  EXPECT_EQ(store_->get_product("CP-1")->replenishment.settings, kReorderPoint);
  EXPECT_EQ(store_->set_replenishment("NOPE", kReorderPoint).error().code, ErrorCode::not_found);

  // An upsert sets the settings too, and keeps the stock and what was learned.
  ASSERT_TRUE(store_->upsert_product({"CP-1", "Glazed", 250, 99, 5}));
  const auto reset = *store_->get_product("CP-1");
  EXPECT_EQ(reset.replenishment.settings, ReplenishmentSettings{});
  EXPECT_EQ(reset.replenishment.demand, before.replenishment.demand);
  EXPECT_EQ(reset.stock, 7);
}

// The state every engine keeps is exactly the domain's: the same rates, to the millionth, as the
// rule computes from the same batches at the same instants.
TEST_P(StoreContract, SalesTeachTheDemandExactlyAndRefusalsCountAsLostSales) {
  ASSERT_TRUE(store_->set_replenishment("CP-2", kReorderPoint));
  ReplenishmentState expected;
  expected.settings = kReorderPoint;
  place({order("CP-2", 2)});
  expected.demand = domain::observe_demand(expected, 2, 4, clock_.now());
  clock_.advance(std::chrono::milliseconds(700));
  place({order("CP-2", 1), order("CP-2", 3)});  // one sold, one refused
  expected.demand = domain::observe_demand(expected, 4, 10, clock_.now());
  const auto p = *store_->get_product("CP-2");
  EXPECT_EQ(p.replenishment, expected);
  EXPECT_EQ(p.figures.rule.reorder_point,
            domain::replenishment_figures(expected, 0, clock_.now()).rule.reorder_point);
  const auto stats = *store_->stats();
  const auto& plain = stats.products[1];
  ASSERT_EQ(plain.product_id, "CP-2");
  EXPECT_EQ(plain.orders, 2);
  EXPECT_EQ(plain.orders_refused, 1);
  EXPECT_EQ(plain.replenishment_settings, kReorderPoint);
  EXPECT_EQ(plain.replenishment.demand_per_second, p.figures.demand_per_second);
}

TEST_P(StoreContract, TheFirstArrivalOfARestockTeachesTheLeadTime) {
  const auto id = open_restock();
  clock_.advance(std::chrono::milliseconds(2500));
  arrive("req-1", id, 5);
  const domain::LeadTimeEstimate learned{1, std::chrono::milliseconds(2500), Millis(0)};
  EXPECT_EQ(store_->get_product("CP-1")->replenishment.lead_time, learned);
  clock_.advance(std::chrono::seconds(30));
  arrive("req-2", id, 5);  // a second batch for the same restock: held
  arrive("req-1", id, 5);  // a repeat
  EXPECT_EQ(store_->get_product("CP-1")->replenishment.lead_time, learned);
  EXPECT_EQ(store_->get_product("CP-1")->figures.lead_time, std::chrono::milliseconds(2500));
  const auto stats = *store_->stats();
  EXPECT_EQ(stats.products[0].units_restocked, 5) << "one arrived restock of 5";
  EXPECT_EQ(stats.products[0].units_arrived, 5) << "the second batch is held, not added";
}

TEST_P(StoreContract, TheReorderPointOpensARestockOfTheOrderQuantityBeforeTheShelfIsEmpty) {
  ASSERT_TRUE(store_->upsert_product({"CP-3", "Jam", 300, 5000, 10, kReorderPoint}));
  for (int i = 0; i < 30; ++i) {  // 90 units a second for three seconds, no restock yet
    const auto sold = place({order("CP-3", 3), order("CP-3", 3), order("CP-3", 3)});
    ASSERT_EQ(sold.size(), 3u);
    ASSERT_FALSE(sold[2].restock_opened) << "batch " << i;
    clock_.advance(std::chrono::milliseconds(100));
  }
  const auto before = *store_->get_product("CP-3");
  ASSERT_EQ(before.stock, 4730);
  const auto rule = before.figures.rule;
  ASSERT_GT(rule.reorder_point, 500) << "about 90/s over the 10 s prior, and growing";
  ASSERT_LT(rule.reorder_point, before.stock);
  ASSERT_TRUE(store_->set_stock("CP-3", rule.reorder_point + 1));
  const auto sold = place({order("CP-3", 1)});
  ASSERT_TRUE(sold[0].restock_opened);
  EXPECT_EQ(sold[0].stock_left, rule.reorder_point);
  const auto h = history(sold[0].restock_id);
  EXPECT_EQ(h.restock.quantity, rule.order_quantity);
  EXPECT_LE(h.restock.quantity, 400);
  EXPECT_EQ(outbox().back().type, "stock.empty");
  EXPECT_NE(outbox().back().body.find("\"stock_left\":" + std::to_string(rule.reorder_point)),
            std::string::npos)
      << outbox().back().body;
  const auto after = *store_->get_product("CP-3");
  EXPECT_EQ(after.open_restock_id, sold[0].restock_id);
  const auto again = place({order("CP-3", 1)});
  EXPECT_FALSE(again[0].restock_opened) << "one open restock per product";
}

}  // namespace
}  // namespace donut
