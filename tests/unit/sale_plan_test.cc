// The sale rule for a batch (domain::plan_sales): every case a store used to decide itself,
// checked once here on plain values. The store contract suite checks that each engine applies
// the plan it is given.
#include <gtest/gtest.h>

#include "domain/sales.h"
#include "support/counting_ids.h"

namespace donut::domain {
namespace {

const TimePoint kNow = from_unix_ms(1'764'000'000'000);

using testing::CountingIds;

OrderRequest order(std::string id, std::string product, int64_t quantity, std::string key = {}) {
  return {std::move(id), std::move(product), quantity, std::move(key)};
}

// Orders o1, o2, ... of glazed, one per quantity.
std::vector<OrderRequest> glazed_orders(std::initializer_list<int64_t> quantities) {
  std::vector<OrderRequest> orders;
  for (int64_t q : quantities)
    orders.push_back(order("o" + std::to_string(orders.size() + 1), "glazed", q));
  return orders;
}

OrderOutcome sold_earlier(std::string order_id, std::string product, int64_t quantity) {
  OrderOutcome first;
  first.status = OrderStatus::sold;
  first.order_id = std::move(order_id);
  first.product_id = std::move(product);
  first.quantity = quantity;
  first.decided_at = kNow - std::chrono::minutes(5);
  return first;
}

struct Planner {
  SaleSnapshot snapshot;
  RestockPolicy policy;
  CountingIds ids;

  SalePlan plan(const std::vector<OrderRequest>& requests, TimePoint now = kNow) {
    return plan_sales(requests, snapshot, policy, now, ids);
  }
};

TEST(SalePlan, SellsInOrderAndWritesOneRowPerSoldOrder) {
  Planner p;
  p.snapshot.products["glazed"] = {3, 10, "", {}};
  auto plan = p.plan(glazed_orders({2, 2, 1}));
  ASSERT_EQ(plan.outcomes.size(), 3u);
  EXPECT_EQ(plan.outcomes[0].status, OrderStatus::sold);
  EXPECT_EQ(plan.outcomes[0].order_id, "o1");
  EXPECT_EQ(plan.outcomes[0].stock_left, 1);
  EXPECT_EQ(plan.outcomes[1].status, OrderStatus::out_of_stock) << "stock never below zero";
  EXPECT_EQ(plan.outcomes[1].order_id, "");
  EXPECT_EQ(plan.outcomes[2].status, OrderStatus::sold) << "a smaller order still fits";
  EXPECT_EQ(plan.outcomes[2].stock_left, 0);
  ASSERT_EQ(plan.orders.size(), 2u);
  EXPECT_EQ(plan.orders[0].id, "o1");
  EXPECT_EQ(plan.orders[1].id, "o3");
  EXPECT_EQ(plan.orders[1].created_at, kNow);
  ASSERT_EQ(plan.products.size(), 1u);
  EXPECT_EQ(plan.products[0].state.stock, 0);
  EXPECT_EQ(plan.products[0].orders_sold, 2);
  EXPECT_EQ(plan.products[0].units_sold, 3);
}

TEST(SalePlan, TheRefusalOpensOneRestockAndEveryLaterAnswerNamesIt) {
  Planner p;
  p.snapshot.products["glazed"] = {1, 10, "", {}};
  auto plan = p.plan(glazed_orders({2, 1, 1}));
  ASSERT_EQ(plan.restocks_opened.size(), 1u);
  const auto& opened = plan.restocks_opened[0];
  EXPECT_EQ(opened.restock.id, opened.event.restock_id);
  EXPECT_EQ(opened.restock.product_id, "glazed");
  EXPECT_EQ(opened.restock.quantity, 10);
  EXPECT_EQ(opened.restock.state, RestockState::open);
  EXPECT_EQ(opened.event.restock_quantity, 10);
  EXPECT_EQ(opened.event.occurred_at, kNow);
  EXPECT_NE(opened.event.event_id, opened.event.restock_id);
  EXPECT_EQ(opened.stock_out, "an order of 2 was refused");
  EXPECT_TRUE(plan.restock_opened());

  EXPECT_EQ(plan.outcomes[0].status, OrderStatus::out_of_stock);
  EXPECT_TRUE(plan.outcomes[0].restock_opened);
  EXPECT_EQ(plan.outcomes[0].restock_id, opened.restock.id);
  EXPECT_EQ(plan.outcomes[1].status, OrderStatus::sold) << "the refusal did not take stock";
  EXPECT_FALSE(plan.outcomes[1].restock_opened) << "one open restock per product";
  EXPECT_EQ(plan.outcomes[1].restock_id, opened.restock.id) << "it emptied the shelf";
  EXPECT_EQ(plan.outcomes[2].status, OrderStatus::out_of_stock);
  EXPECT_EQ(plan.outcomes[2].restock_id, opened.restock.id);
  EXPECT_EQ(plan.products[0].state.open_restock_id, opened.restock.id);
  EXPECT_EQ(plan.products[0].state.restock_opened_at, kNow);
}

TEST(SalePlan, TheSaleThatEmptiesTheShelfOpensTheRestock) {
  Planner p;
  p.snapshot.products["glazed"] = {2, 10, "", {}};
  auto plan = p.plan(glazed_orders({1, 1}));
  EXPECT_EQ(plan.outcomes[0].restock_id, "") << "stock left: no restock to name";
  EXPECT_FALSE(plan.outcomes[0].restock_opened);
  EXPECT_TRUE(plan.outcomes[1].restock_opened);
  EXPECT_EQ(plan.outcomes[1].status, OrderStatus::sold);
  ASSERT_EQ(plan.restocks_opened.size(), 1u);
  EXPECT_EQ(plan.restocks_opened[0].stock_out, "order o2 took the last 1");
  EXPECT_TRUE(plan.restocks_superseded.empty());
}

TEST(SalePlan, AnOpenRestockIsNamedButNotReopenedUntilItIsStale) {
  Planner p;
  p.snapshot.products["glazed"] = {0, 10, "r-old", kNow - std::chrono::minutes(59)};
  auto fresh = p.plan({order("o1", "glazed", 1)});
  EXPECT_TRUE(fresh.restocks_opened.empty());
  EXPECT_FALSE(fresh.outcomes[0].restock_opened);
  EXPECT_EQ(fresh.outcomes[0].restock_id, "r-old");
  ASSERT_EQ(fresh.products.size(), 1u) << "a refusal is demand, and a sale lost";
  EXPECT_EQ(fresh.products[0].orders_refused, 1);
  EXPECT_EQ(fresh.products[0].state.stock, 0);
  EXPECT_EQ(fresh.products[0].state.open_restock_id, "r-old");
  EXPECT_GT(fresh.products[0].state.replenishment.demand.fast_micros, 0);
  EXPECT_FALSE(fresh.restock_opened());

  auto stale = p.plan({order("o1", "glazed", 1)}, kNow + std::chrono::minutes(1));
  ASSERT_EQ(stale.restocks_opened.size(), 1u);
  const std::string& fresh_id = stale.restocks_opened[0].restock.id;
  ASSERT_EQ(stale.restocks_superseded.size(), 1u);
  EXPECT_EQ(stale.restocks_superseded[0].restock_id, "r-old");
  EXPECT_EQ(stale.restocks_superseded[0].replaced_by, fresh_id);
  EXPECT_EQ(stale.restocks_superseded[0].note, "replaced by " + fresh_id);
  EXPECT_EQ(stale.outcomes[0].restock_id, fresh_id);
  EXPECT_EQ(stale.products[0].state.open_restock_id, fresh_id);
}

TEST(SalePlan, RestockingOffNeverOpensOne) {
  Planner p;
  p.snapshot.products["plain"] = {1, 0, "", {}};
  auto plan = p.plan({order("o1", "plain", 1), order("o2", "plain", 1)});
  EXPECT_EQ(plan.outcomes[0].status, OrderStatus::sold);
  EXPECT_EQ(plan.outcomes[1].status, OrderStatus::out_of_stock);
  EXPECT_EQ(plan.outcomes[1].restock_id, "");
  EXPECT_TRUE(plan.restocks_opened.empty());
}

TEST(SalePlan, AnUnknownProductIsRefusedWithoutAKeyRecord) {
  Planner p;
  auto plan = p.plan({order("o1", "ghost", 1, "k1")});
  EXPECT_EQ(plan.outcomes[0].status, OrderStatus::unknown_product);
  EXPECT_EQ(plan.outcomes[0].decided_at, kNow);
  EXPECT_TRUE(plan.keys.empty()) << "the same key may sell once the product exists";
  EXPECT_TRUE(plan.orders.empty());
  EXPECT_TRUE(plan.products.empty());
}

TEST(SalePlan, ARecordedKeyReplaysItsOutcomeAndTouchesNothing) {
  Planner p;
  OrderOutcome first = sold_earlier("o-first", "glazed", 2);
  first.restock_id = "r1";
  first.restock_opened = true;  // as the first answer was; a replay opened nothing
  p.snapshot.keys["k1"] = first;
  p.snapshot.products["glazed"] = {7, 10, "", {}};
  auto plan = p.plan({order("o-again", "glazed", 2, "k1")});
  const auto& again = plan.outcomes[0];
  EXPECT_TRUE(again.replayed);
  EXPECT_FALSE(again.restock_opened);
  EXPECT_EQ(again.order_id, "o-first");
  EXPECT_EQ(again.stock_left, 0);
  EXPECT_EQ(again.restock_id, "r1");
  EXPECT_EQ(again.decided_at, first.decided_at);
  EXPECT_TRUE(plan.orders.empty());
  EXPECT_TRUE(plan.products.empty());
  EXPECT_TRUE(plan.keys.empty());
}

TEST(SalePlan, ARecordedKeyForAnotherOrderIsKeyReused) {
  Planner p;
  const OrderOutcome first = sold_earlier("o-first", "glazed", 2);
  p.snapshot.keys["k1"] = first;
  p.snapshot.products["glazed"] = {7, 10, "", {}};
  for (const auto& other : {order("o2", "glazed", 3, "k1"), order("o2", "jam", 2, "k1")}) {
    auto plan = p.plan({other});
    const auto& reused = plan.outcomes[0];
    EXPECT_EQ(reused.status, OrderStatus::key_reused);
    EXPECT_EQ(reused.product_id, other.product_id);
    EXPECT_EQ(reused.quantity, other.quantity);
    EXPECT_EQ(reused.order_id, "");
    EXPECT_EQ(reused.decided_at, first.decided_at);
    EXPECT_FALSE(reused.replayed);
    EXPECT_TRUE(plan.orders.empty());
  }
}

TEST(SalePlan, AKeyRepeatedInOneBatchIsDecidedOnceAndRecordedOnce) {
  Planner p;
  p.snapshot.products["glazed"] = {5, 10, "", {}};
  auto plan = p.plan({order("o1", "glazed", 2, "k1"), order("o2", "glazed", 2, "k1"),
                      order("o3", "glazed", 1, "k1"), order("o4", "glazed", 1, "k2")});
  EXPECT_EQ(plan.outcomes[0].status, OrderStatus::sold);
  EXPECT_TRUE(plan.outcomes[1].replayed);
  EXPECT_EQ(plan.outcomes[1].order_id, "o1");
  EXPECT_EQ(plan.outcomes[2].status, OrderStatus::key_reused);
  EXPECT_EQ(plan.outcomes[3].stock_left, 2) << "only o1 and o4 took stock";
  ASSERT_EQ(plan.keys.size(), 2u);
  EXPECT_EQ(plan.keys[0].key, "k1");
  EXPECT_EQ(plan.keys[0].outcome, 0u);
  EXPECT_EQ(plan.keys[1].key, "k2");
  EXPECT_EQ(plan.keys[1].outcome, 3u);
  EXPECT_EQ(plan.orders.size(), 2u);
}

TEST(SalePlan, AnOutOfStockAnswerIsRecordedUnderItsKeyWithItsRestock) {
  Planner p;
  p.snapshot.products["glazed"] = {0, 10, "", {}};
  auto plan = p.plan({order("o1", "glazed", 1, "k1")});
  ASSERT_EQ(plan.keys.size(), 1u);
  const auto& recorded = plan.outcomes[plan.keys[0].outcome];
  EXPECT_EQ(recorded.status, OrderStatus::out_of_stock);
  EXPECT_EQ(recorded.restock_id, plan.restocks_opened.at(0).restock.id);
}

TEST(SalePlan, ProductsAreIndependentAndEachOneAskedForIsWritten) {
  Planner p;
  p.snapshot.products["glazed"] = {1, 10, "", {}};
  p.snapshot.products["jam"] = {0, 10, "r-jam", kNow};
  p.snapshot.products["plain"] = {4, 10, "", {}};
  auto plan = p.plan({order("o1", "jam", 1), order("o2", "glazed", 1), order("o3", "plain", 5)});
  EXPECT_EQ(plan.outcomes[0].restock_id, "r-jam");
  EXPECT_EQ(plan.outcomes[1].stock_left, 0);
  EXPECT_EQ(plan.outcomes[2].status, OrderStatus::out_of_stock);
  ASSERT_EQ(plan.products.size(), 3u) << "each product's demand changed";
  EXPECT_EQ(plan.products[0].product_id, "glazed");
  EXPECT_EQ(plan.products[1].product_id, "jam");
  EXPECT_EQ(plan.products[1].state.stock, 0);
  EXPECT_EQ(plan.products[1].state.open_restock_id, "r-jam") << "still on its way";
  EXPECT_EQ(plan.products[1].orders_refused, 1);
  EXPECT_EQ(plan.products[2].product_id, "plain");
  EXPECT_EQ(plan.products[2].orders_sold, 0);
  EXPECT_EQ(plan.products[2].orders_refused, 1);
  EXPECT_EQ(plan.restocks_opened.size(), 2u);
}

TEST(SaleLookups, KeysAndProductsSortedUniqueAndReplaysNeedNoProduct) {
  std::vector<OrderRequest> requests{order("o1", "jam", 1, "k2"), order("o2", "glazed", 1, "k1"),
                                     order("o3", "plain", 1), order("o4", "jam", 1, "k2"),
                                     order("o5", "glazed", 1)};
  EXPECT_EQ(keys_to_load(requests), (std::vector<std::string_view>{"k1", "k2"}));
  std::map<std::string, OrderOutcome, std::less<>> known;
  EXPECT_EQ(products_to_load(requests, known),
            (std::vector<std::string_view>{"glazed", "jam", "plain"}));
  known["k2"] = {};
  EXPECT_EQ(products_to_load(requests, known), (std::vector<std::string_view>{"glazed", "plain"}))
      << "jam is asked for only under a recorded key";
}

}  // namespace
}  // namespace donut::domain
