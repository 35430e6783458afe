// The simulator's invariant checkers, apart from the world that runs the shop (as TigerBeetle
// keeps its checkers): they read the engines directly (never through the faulty ports, so a
// check injects no fault and counts no operation) and what the actors saw, and name the
// invariant they find broken through `Violate`. One thread (the simulator's).
//
// - `StoreChecker`: after every step, each product's stock is non-negative and equals its
//   initial stock plus the arrivals applied minus the units sold, at most one restock is open,
//   no idempotency key sold twice; its reorder point is not negative, and its latest restock
//   asks for no less than the restock quantity and no more than the operator's maximum, and
//   opened only once the one before it arrived or went stale (a slow, failing or late factory
//   does not make the policy order again and again); at the first quiet point, every restock
//   not arrived waits in a dead-letter queue; at the end, every order answered 201 is in the
//   store exactly once and every stock-out is complete.
// - `QueueLedger`: Jepsen's total-queue checker for one work queue, by message identity (FNV-1a
//   of its body): every message enqueued is handled to completion at least once, and nothing
//   is handled that was never enqueued.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ports/broker.h"
#include "ports/store.h"
#include "sim/simulation.h"

namespace donut::sim {

using Violate = std::function<void(std::string invariant, std::string detail)>;

// A customer's order, kept until it is answered: retried with the same idempotency key after an
// error or a lost answer, as a careful client would.
struct CustomerOrder {
  std::string key;
  std::string product_id;
  int64_t quantity = 0;
  int attempts = 0;
  bool answered = false;
  std::string sold_order_id;  // the order the warehouse sold under this key
};

class StoreChecker {
 public:
  // What every product of the catalogue starts with, and the restock policy's staleness.
  struct Catalogue {
    int64_t initial_stock = 0;
    int64_t restock_quantity = 0;
    Millis stale_after{0};
  };

  StoreChecker(ports::Store& store, ports::Broker& broker, Catalogue catalogue, Violate violate)
      : store_(store), broker_(broker), catalogue_(catalogue), violate_(std::move(violate)) {}

  // `keys_per_product`: how many idempotency keys customers used per product so far.
  void after_step(const std::map<std::string, int64_t>& keys_per_product);
  void at_first_quiet();
  // Returns the restocks that ended (arrived or superseded), for the report.
  int64_t at_the_end(const std::vector<CustomerOrder>& orders);

 private:
  void check_product(const ports::ProductStats& p, int64_t keys);
  void check_replenishment(const ports::ProductStats& p);

  ports::Store& store_;
  ports::Broker& broker_;
  Catalogue catalogue_;
  Violate violate_;
};

class QueueLedger {
 public:
  static uint64_t identity_of(std::string_view body);

  void enqueued(std::string_view body) { ++enqueued_[identity_of(body)]; }
  void completed(std::string_view body);
  // Waiting in the dead-letter queue when the operator redrives it.
  void dead_lettered(std::string_view body);
  QueueReport report(const std::string& queue, const Violate& violate) const;

 private:
  std::map<uint64_t, int> enqueued_;
  std::map<uint64_t, int> completed_;
  std::set<uint64_t> dead_lettered_;
  std::set<uint64_t> awaiting_recovery_;  // redriven, not finished since
  int64_t recovered_ = 0;
};

}  // namespace donut::sim
