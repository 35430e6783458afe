// The store contract for a restock's life after it opened (ports/store.h; the rule is
// domain/restock_plans.h): each state transition, and a second distinct arrival on one restock
// (held), on every engine. Instantiated with the other contract tests (store_engines_*.cc).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contract/store_contract.h"
#include "domain/timeline.h"

namespace donut {
namespace {

using domain::RestockState;
using domain::TimelineKind;

TEST_P(StoreContract, RestockLifeOpenBecomesRequestedOnceWithItsTime) {
  const auto id = open_restock();
  clock_.advance(std::chrono::seconds(3));
  ASSERT_TRUE(*store_->mark_restock_requested(id));
  clock_.advance(std::chrono::seconds(3));
  EXPECT_FALSE(*store_->mark_restock_requested(id));
  const auto h = history(id);
  EXPECT_EQ(h.restock.state, RestockState::requested);
  ASSERT_TRUE(h.requested_at);
  EXPECT_EQ(*h.requested_at - h.restock.opened_at, std::chrono::seconds(3));
  EXPECT_FALSE(h.arrived_at);
  EXPECT_EQ(outbox_types(), (std::vector<std::string>{"stock.empty", "restock.requested"}));
}

TEST_P(StoreContract, RestockLifeRequestedBecomesArrivedWithItsTime) {
  const auto id = open_restock();
  ASSERT_TRUE(*store_->mark_restock_requested(id));
  clock_.advance(std::chrono::seconds(8));
  EXPECT_EQ(arrive("req-1", id, 5).stock_after, 5);
  const auto h = history(id);
  EXPECT_EQ(h.restock.state, RestockState::arrived);
  ASSERT_TRUE(h.requested_at && h.arrived_at);
  EXPECT_EQ(*h.arrived_at - h.restock.opened_at, std::chrono::seconds(8));
  EXPECT_TRUE(store_->get_product("CP-1")->open_restock_id.empty());
}

// The factory called back before the worker marked the restock: open goes straight to arrived,
// and the acceptance is still recorded (once) without reopening anything.
TEST_P(StoreContract, RestockLifeOpenBecomesArrivedAndTheLateRequestIsRecordedOnce) {
  const auto id = open_restock();
  clock_.advance(std::chrono::seconds(2));
  arrive("req-1", id, 5);
  clock_.advance(std::chrono::seconds(2));
  ASSERT_TRUE(*store_->mark_restock_requested(id));
  EXPECT_FALSE(*store_->mark_restock_requested(id));
  const auto h = history(id);
  EXPECT_EQ(h.restock.state, RestockState::arrived);
  ASSERT_TRUE(h.requested_at && h.arrived_at);
  EXPECT_EQ(*h.arrived_at - h.restock.opened_at, std::chrono::seconds(2));
  EXPECT_EQ(*h.requested_at - h.restock.opened_at, std::chrono::seconds(4));
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"stock.empty", "stock.arrived", "restock.requested"}));
}

TEST_P(StoreContract, RestockLifeOpenBecomesSupersededAndIsNeverMarkedRequested) {
  const auto old_id = open_restock();
  clock_.advance(std::chrono::hours(2));
  auto later = place({order("CP-1", 1)});
  ASSERT_TRUE(later[0].restock_opened);
  EXPECT_EQ(store_->get_restock(old_id)->state, RestockState::superseded);
  EXPECT_FALSE(*store_->mark_restock_requested(old_id));
  const auto h = history(old_id);
  EXPECT_EQ(h.restock.state, RestockState::superseded);
  EXPECT_FALSE(h.requested_at);
  EXPECT_EQ(count(TimelineKind::superseded, kinds(old_id)), 1);
  EXPECT_EQ(outbox_types(), (std::vector<std::string>{"stock.empty", "stock.empty"}));
}

// A superseded restock's batch may still come (the factory accepted it unseen), but nothing
// recorded it as asked of the factory and the newer restock asks for the same units: it is held
// for the operator, the superseded restock stays superseded and the newer one stays open.
TEST_P(StoreContract, RestockLifeAnArrivalForASupersededRestockIsHeld) {
  const auto old_id = open_restock();
  clock_.advance(std::chrono::hours(2));
  const auto new_id = place({order("CP-1", 1)})[0].restock_id;
  ASSERT_NE(new_id, old_id);
  const auto outcome = arrive("req-old", old_id, 5);
  EXPECT_EQ(outcome.status, domain::ArrivalStatus::held);
  EXPECT_EQ(outcome.stock_after, 0);
  const auto h = history(old_id);
  EXPECT_EQ(h.restock.state, RestockState::superseded);
  EXPECT_FALSE(h.arrived_at);
  EXPECT_EQ(count(TimelineKind::held_arrival, kinds(old_id)), 1);
  EXPECT_EQ(store_->get_product("CP-1")->open_restock_id, new_id);
  EXPECT_EQ(store_->get_restock(new_id)->state, RestockState::open);
  EXPECT_EQ(stock("CP-1"), 0);
  const auto held = store_->held_arrivals(10);
  ASSERT_TRUE(held && held->size() == 1u);
  EXPECT_EQ(held->front().reason, domain::HeldReason::superseded_restock);
}

TEST_P(StoreContract, RestockLifeUnknownRestocksAreNotMarked) {
  EXPECT_FALSE(*store_->mark_restock_requested("no-such-restock"));
  EXPECT_TRUE(outbox().empty());
}

// Two batches with distinct request ids answer one restock (a factory that delivered twice, or
// a forged second callback): the first is applied and closes the restock; the second is held for
// the operator, adds nothing, and the timeline, the events and the figures say so on every engine.
TEST_P(StoreContract, RestockLifeASecondDistinctArrivalOnOneRestockIsHeld) {
  const auto id = open_restock();
  ASSERT_TRUE(*store_->mark_restock_requested(id));
  clock_.advance(std::chrono::seconds(10));
  const auto first = arrive("req-1", id, 5);
  clock_.advance(std::chrono::seconds(20));
  const auto second = arrive("req-2", id, 3);

  EXPECT_EQ(first.status, domain::ArrivalStatus::applied);
  EXPECT_EQ(second.status, domain::ArrivalStatus::held);
  EXPECT_EQ(first.stock_after, 5);
  EXPECT_EQ(second.stock_after, 5);
  EXPECT_EQ(stock("CP-1"), 5);
  EXPECT_TRUE(store_->get_product("CP-1")->open_restock_id.empty());

  const auto h = history(id);
  EXPECT_EQ(h.restock.state, RestockState::arrived);
  ASSERT_TRUE(h.arrived_at);
  EXPECT_EQ(*h.arrived_at - h.restock.opened_at, std::chrono::seconds(10)) << "the first arrival";
  std::vector<std::string> held_notes;
  for (const auto& e : h.events) {
    if (e.kind == TimelineKind::held_arrival) held_notes.push_back(e.detail);
  }
  ASSERT_EQ(held_notes.size(), 1u);
  EXPECT_NE(held_notes[0].find("request req-2"), std::string::npos) << held_notes[0];
  EXPECT_NE(held_notes[0].find("already_arrived"), std::string::npos) << held_notes[0];
  EXPECT_EQ(count(TimelineKind::arrived, kinds(id)), 1);
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"stock.empty", "restock.requested", "stock.arrived"}));

  auto stats = store_->stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->lead_times.count, 1) << "one restock arrived";
  EXPECT_DOUBLE_EQ(stats->lead_times.sum_seconds, 10.0);
  const auto& p = stats->products.front();
  ASSERT_EQ(p.product_id, "CP-1");
  EXPECT_EQ(p.arrivals, 1);
  EXPECT_EQ(p.units_arrived, 5);
  EXPECT_EQ(p.arrivals_held, 1);
  EXPECT_EQ(p.arrivals_held_waiting, 1);
  EXPECT_EQ(p.restocks_arrived, 1);
}

// The second batch comes after the shelf emptied again: it is held, and the newer restock stays
// open, waiting for its own arrival.
TEST_P(StoreContract, RestockLifeALateSecondArrivalIsHeldAndLeavesTheNextRestockOpen) {
  const auto id = open_restock();
  arrive("req-1", id, 5);
  const auto next = place({order("CP-1", 5)})[0].restock_id;
  ASSERT_FALSE(next.empty());
  ASSERT_NE(next, id);
  clock_.advance(std::chrono::seconds(30));
  const auto late = arrive("req-2", id, 5);
  EXPECT_EQ(late.status, domain::ArrivalStatus::held);
  EXPECT_EQ(late.stock_after, 0);
  EXPECT_EQ(store_->get_product("CP-1")->open_restock_id, next);
  EXPECT_EQ(store_->get_restock(next)->state, RestockState::open);
  const auto h = history(id);
  ASSERT_TRUE(h.arrived_at);
  EXPECT_EQ(*h.arrived_at, h.restock.opened_at) << "kept from the first arrival";
}

}  // namespace
}  // namespace donut
