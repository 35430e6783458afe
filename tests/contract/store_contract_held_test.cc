// The store contract for arrivals that answer no restock the shop waits for (ports/store.h; the
// rule is domain/restock_plans.h): held, not added to the stock, one row per request id, never
// pruned, and released (applied once) or discarded by the operator, on every engine.
// Instantiated with the other contract tests (store_engines_*.cc).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "contract/store_contract.h"
#include "domain/timeline.h"

namespace donut {
namespace {

using domain::ArrivalStatus;
using domain::HeldDecision;
using domain::HeldReason;
using domain::TimelineKind;

std::vector<domain::HeldArrival> held_in(ports::Store& store) {
  auto all = store.held_arrivals(100);
  EXPECT_TRUE(all) << all.error().message;
  return all ? *all : std::vector<domain::HeldArrival>{};
}

ports::ProductStats figures_of(ports::Store& store, std::string_view product) {
  auto stats = store.stats();
  EXPECT_TRUE(stats) << stats.error().message;
  for (const auto& p : stats ? stats->products : std::vector<ports::ProductStats>{}) {
    if (p.product_id == product) return p;
  }
  ADD_FAILURE() << "no figures for " << product;
  return {};
}

TEST_P(StoreContract, HeldArrivalsAnArrivalForAnUnknownRestockIsHeldAndAddsNoStock) {
  const auto before_events = outbox().size();
  const auto outcome = arrive("forged-1", "no-such-restock", 1'000'000);
  EXPECT_EQ(outcome.status, ArrivalStatus::held);
  EXPECT_EQ(outcome.stock_after, 10);
  EXPECT_EQ(stock("CP-1"), 10);
  EXPECT_EQ(outbox().size(), before_events) << "no stock.arrived";
  const auto rows = held_in(*store_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].arrival.request_id, "forged-1");
  EXPECT_EQ(rows[0].arrival.restock_id, "no-such-restock");
  EXPECT_EQ(rows[0].arrival.quantity, 1'000'000);
  EXPECT_EQ(rows[0].arrival.factory_id, "FF-1");
  EXPECT_EQ(rows[0].reason, HeldReason::unknown_restock);
  EXPECT_EQ(rows[0].held_at, clock_.now());
  EXPECT_FALSE(rows[0].decision);
  const auto p = figures_of(*store_, "CP-1");
  EXPECT_EQ(p.arrivals, 0);
  EXPECT_EQ(p.units_arrived, 0);
  EXPECT_EQ(p.arrivals_held, 1);
  EXPECT_EQ(p.arrivals_held_waiting, 1);
}

TEST_P(StoreContract, HeldArrivalsAnArrivalNamingNoRestockIsHeld) {
  EXPECT_EQ(arrive("foreign-1", "", 4).status, ArrivalStatus::held);
  EXPECT_EQ(stock("CP-1"), 10);
  ASSERT_EQ(held_in(*store_).size(), 1u);
  EXPECT_EQ(held_in(*store_)[0].reason, HeldReason::unknown_restock);
}

// The factory may call back before the worker marks the restock requested: an open restock is
// one the shop waits for.
TEST_P(StoreContract, HeldArrivalsAnArrivalForAnOpenRestockIsApplied) {
  const auto id = open_restock();
  EXPECT_EQ(arrive(id, id, 5).status, ArrivalStatus::applied);
  EXPECT_EQ(stock("CP-1"), 5);
  EXPECT_TRUE(held_in(*store_).empty());
}

TEST_P(StoreContract, HeldArrivalsARedeliveryOfAHeldArrivalStaysOneHeldRow) {
  const auto id = open_restock();
  arrive("req-1", id, 5);
  EXPECT_EQ(arrive("req-2", id, 3).status, ArrivalStatus::held);
  clock_.advance(std::chrono::seconds(5));
  const auto again = arrive("req-2", id, 3);
  EXPECT_EQ(again.status, ArrivalStatus::duplicate);
  EXPECT_EQ(again.stock_after, 5);
  EXPECT_EQ(arrive("forged-1", "no-such-restock", 9).status, ArrivalStatus::held);
  EXPECT_EQ(arrive("forged-1", "no-such-restock", 9).status, ArrivalStatus::duplicate);
  EXPECT_EQ(held_in(*store_).size(), 2u);
  EXPECT_EQ(stock("CP-1"), 5);
  EXPECT_EQ(count(TimelineKind::held_arrival, kinds(id)), 1);
  EXPECT_EQ(count(TimelineKind::duplicate_arrival, kinds(id)), 1);
  const auto p = figures_of(*store_, "CP-1");
  EXPECT_EQ(p.arrivals_held, 2);
  EXPECT_EQ(p.arrivals_held_waiting, 2);
}

TEST_P(StoreContract, HeldArrivalsReleaseAppliesTheArrivalOnce) {
  const auto id = open_restock();
  arrive("req-1", id, 5);
  arrive("req-2", id, 3);
  clock_.advance(std::chrono::seconds(7));
  auto released = store_->decide_held_arrival("req-2", HeldDecision::released);
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_EQ(released->decision, HeldDecision::released);
  EXPECT_EQ(released->decided_at, clock_.now());
  EXPECT_EQ(stock("CP-1"), 8);
  auto again = store_->decide_held_arrival("req-2", HeldDecision::released);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->decided_at, released->decided_at) << "the first decision stands";
  EXPECT_EQ(stock("CP-1"), 8);
  EXPECT_EQ(arrive("req-2", id, 3).status, ArrivalStatus::duplicate) << "a redelivery, later";
  EXPECT_EQ(stock("CP-1"), 8);
  EXPECT_EQ(outbox_types(),
            (std::vector<std::string>{"stock.empty", "stock.arrived", "stock.arrived"}));
  EXPECT_EQ(count(TimelineKind::arrived, kinds(id)), 2);
  const auto p = figures_of(*store_, "CP-1");
  EXPECT_EQ(p.arrivals, 2);
  EXPECT_EQ(p.units_arrived, 8);
  EXPECT_EQ(p.arrivals_held, 1);
  EXPECT_EQ(p.arrivals_held_waiting, 0);
  EXPECT_EQ(store_->decide_held_arrival("req-2", HeldDecision::discarded).error().code,
            ErrorCode::conflict);
}

TEST_P(StoreContract, HeldArrivalsDiscardAddsNothing) {
  arrive("forged-1", "no-such-restock", 1'000'000);
  auto discarded = store_->decide_held_arrival("forged-1", HeldDecision::discarded);
  ASSERT_TRUE(discarded) << discarded.error().message;
  EXPECT_EQ(discarded->decision, HeldDecision::discarded);
  ASSERT_TRUE(store_->decide_held_arrival("forged-1", HeldDecision::discarded));
  EXPECT_EQ(stock("CP-1"), 10);
  EXPECT_EQ(arrive("forged-1", "no-such-restock", 1'000'000).status, ArrivalStatus::duplicate);
  EXPECT_EQ(stock("CP-1"), 10);
  EXPECT_TRUE(outbox().empty());
  const auto p = figures_of(*store_, "CP-1");
  EXPECT_EQ(p.arrivals, 0);
  EXPECT_EQ(p.arrivals_held, 1);
  EXPECT_EQ(p.arrivals_held_waiting, 0);
  EXPECT_EQ(store_->decide_held_arrival("forged-1", HeldDecision::released).error().code,
            ErrorCode::conflict);
  EXPECT_EQ(stock("CP-1"), 10);
}

TEST_P(StoreContract, HeldArrivalsDecidingAnArrivalNeverHeldIsNotFound) {
  const auto id = open_restock();
  arrive("req-1", id, 5);
  EXPECT_EQ(store_->decide_held_arrival("req-1", HeldDecision::released).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(store_->decide_held_arrival("nothing", HeldDecision::discarded).error().code,
            ErrorCode::not_found);
  EXPECT_EQ(stock("CP-1"), 5);
}

TEST_P(StoreContract, HeldArrivalsAreListedNewestFirstUpToTheLimit) {
  arrive("h-1", "x", 1);
  clock_.advance(std::chrono::seconds(1));
  arrive("h-2", "y", 2);
  clock_.advance(std::chrono::seconds(1));
  arrive("h-3", "z", 3);
  auto two = store_->held_arrivals(2);
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].arrival.request_id, "h-3");
  EXPECT_EQ((*two)[1].arrival.request_id, "h-2");
}

// Retention prunes applied arrivals; a held one waits for the operator however old it is.
TEST_P(StoreContract, HeldArrivalsAreNeverPruned) {
  arrive("forged-1", "no-such-restock", 7);
  clock_.advance(std::chrono::hours(24 * 365));
  for (auto what : {ports::Retained::arrivals, ports::Retained::timeline_entries,
                    ports::Retained::published_outbox, ports::Retained::idempotency_keys}) {
    ASSERT_TRUE(store_->prune(what, clock_.now(), 1000));
  }
  ASSERT_EQ(held_in(*store_).size(), 1u);
  ASSERT_TRUE(store_->decide_held_arrival("forged-1", HeldDecision::released));
  EXPECT_EQ(stock("CP-1"), 17);
}

// A message redriven again and again past the arrivals window: its arrival's row is gone, but
// its restock arrived, so the redelivery is held, not applied a second time.
// Its arrivals row pruned, a late redelivery is recognised by its restock, which arrived with
// that very request: a duplicate, not a hold an operator could release into a second addition.
TEST_P(StoreContract, HeldArrivalsARedeliveryPastTheArrivalsWindowIsADuplicate) {
  const auto id = open_restock();
  arrive(id, id, 5);
  clock_.advance(std::chrono::hours(24 * 60));
  auto pruned = store_->prune(ports::Retained::arrivals, clock_.now(), 100);
  ASSERT_TRUE(pruned);
  ASSERT_EQ(*pruned, 1);
  const auto again = arrive(id, id, 5);
  EXPECT_EQ(again.status, ArrivalStatus::duplicate);
  EXPECT_EQ(stock("CP-1"), 5);
  EXPECT_TRUE(held_in(*store_).empty()) << "nothing for the operator to release";
}

}  // namespace
}  // namespace donut
