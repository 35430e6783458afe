// The store port's contract fixture (ports/store.h). The tests are in store_contract_test.cc;
// each engine instantiates them in its own file (store_engines_local.cc, store_engines_mysql.cc).
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "common/ids.h"
#include "domain/timeline.h"
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

  // Sells CP-1 out: its restock opens (restock quantity 5).
  std::string open_restock() {
    auto sold = place({order("CP-1", 10)});
    EXPECT_FALSE(sold.empty() || sold[0].restock_id.empty());
    return sold.empty() ? std::string() : sold[0].restock_id;
  }

  domain::ArrivalOutcome arrive(const std::string& request_id, const std::string& restock_id,
                                int64_t quantity) {
    auto outcome =
        store_->apply_arrival({request_id, restock_id, "CP-1", quantity, "FF-1", clock_.now()});
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? *outcome : domain::ArrivalOutcome{};
  }

  ports::RestockHistory history(const std::string& restock_id) {
    auto all = store_->restock_history("", 100);
    EXPECT_TRUE(all) << all.error().message;
    for (auto& h : all ? *all : std::vector<ports::RestockHistory>{}) {
      if (h.restock.id == restock_id) return h;
    }
    ADD_FAILURE() << "no history for " << restock_id;
    return {};
  }

  std::vector<domain::TimelineKind> kinds(const std::string& restock_id) {
    std::vector<domain::TimelineKind> out;
    for (const auto& e : history(restock_id).events) out.push_back(e.kind);
    return out;
  }

  static int64_t count(domain::TimelineKind kind, const std::vector<domain::TimelineKind>& in) {
    return std::count(in.begin(), in.end(), kind);
  }

  std::vector<std::string> outbox_types() {
    std::vector<std::string> types;
    for (const auto& e : outbox()) types.push_back(e.type);
    return types;
  }

  clock::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<ports::Store> store_;
};

// The figures stats() reports, compared whole.
inline std::string stats_figures(ports::Store& store) {
  auto stats = store.stats();
  EXPECT_TRUE(stats) << stats.error().message;
  if (!stats) return {};
  std::string out;
  for (const auto& p : stats->products) {
    out += p.product_id + " arrivals " + std::to_string(p.arrivals) + " units " +
           std::to_string(p.units_arrived) + " restocks " + std::to_string(p.restocks_open) + "/" +
           std::to_string(p.restocks_requested) + "/" + std::to_string(p.restocks_arrived) + "/" +
           std::to_string(p.restocks_superseded) + " orders " + std::to_string(p.orders) + "\n";
  }
  out += "lead " + std::to_string(stats->lead_times.count) + " " +
         std::to_string(stats->lead_times.sum_seconds);
  for (int64_t n : stats->lead_times.cumulative) out += " " + std::to_string(n);
  for (const auto& [kind, n] : stats->restock_event_counts) {
    out += "\n" + std::string(domain::to_string(kind)) + " " + std::to_string(n);
  }
  return out;
}

// Restocks of CP-1 (stock 2, restock quantity 5) arriving after 0.5, 20, 40 and 60 minutes,
// each called back twice, and stock-outs of CP-2 (stock 1) that never arrive: history for
// the migrations to count.
inline void live_some_history(ports::Store& store, clock::ManualClock& clock) {
  ASSERT_TRUE(store.upsert_product({"CP-1", "Glazed", 250, 2, 5}));
  ASSERT_TRUE(store.upsert_product({"CP-2", "Plain", 200, 1, 3}));
  for (int i = 0; i < 4; ++i) {
    std::vector<domain::OrderRequest> sell{{new_id(), "CP-1", i == 0 ? 2 : 5, ""},
                                           {new_id(), "CP-2", 1, ""}};
    auto sold = store.place_orders(sell);
    ASSERT_TRUE(sold) << sold.error().message;
    const std::string restock_id = (*sold)[0].restock_id;
    ASSERT_TRUE(
        store.record_restock_event(restock_id, domain::TimelineKind::factory_accepted, "202"));
    ASSERT_TRUE(store.mark_restock_requested(restock_id));
    clock.advance(i == 0 ? std::chrono::seconds(30) : std::chrono::minutes(20));
    const domain::Arrival arrival{"r" + std::to_string(i), restock_id, "CP-1", 5, "F", clock.now()};
    ASSERT_TRUE(store.apply_arrival(arrival));
    ASSERT_TRUE(store.apply_arrival(arrival));
  }
}

}  // namespace donut
