// The rules for a restock after it opened, as pure functions: the factory accepted it
// (`plan_mark_requested`) and a manufactured batch arrived (`plan_arrival`).
//
// Like `plan_sales` (sales.h), each takes a snapshot the store loaded inside its transaction and
// returns a plan; the store applies the plan in the same transaction and decides nothing itself,
// so every engine follows the same rule and writes the same timeline.
//
// Requested: recorded once per restock, and only for a restock that is open or already arrived
// (the factory may call back before the worker marks it); open becomes requested, arrived stays
// arrived; a superseded restock is not marked. Each recording queues a `restock.requested` event.
//
// Arrival: a request id is applied (or held) at most once; a repeat changes nothing but the
// restock's timeline. An arrival answers a request: it is applied only to a restock the shop is
// waiting for, open or requested (open too, because the factory may call back before the worker
// marks the restock requested). Any other arrival is held for the operator, recorded but not
// added to the stock: one naming no restock the warehouse knows, one for a superseded restock
// (nothing was recorded as asked of the factory, and a newer restock asks for the same units), and
// a second arrival, with another request id, for a restock that already arrived. An applied
// arrival adds its quantity to the stock, clears the product's open restock if it is the one
// answered, closes the restock (state arrived, its arrival time), queues a `stock.arrived` event
// and teaches the product's lead time (opened -> arrived) to the replenishment policy
// (replenishment.h, `observe_lead_time`).
//
// Held arrival: the operator releases it, which applies it to the stock once (a `stock.arrived`
// event, no restock closed, no lead time learned), or discards it, which adds nothing. Deciding
// again the same way changes nothing; deciding the other way after a decision is a conflict.
//
// Pure: no clock (the caller passes `now`), no randomness but the `IdSource` it is given, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "common/ids.h"
#include "common/time.h"
#include "domain/arrival.h"
#include "domain/events.h"
#include "domain/replenishment.h"
#include "domain/restock.h"
#include "domain/timeline.h"

namespace donut::domain {

// A restock as stored, with the two moments the rules depend on.
struct RestockRecord {
  Restock restock;
  std::optional<TimePoint> requested_at;  // when the factory's acceptance was recorded
  std::optional<TimePoint> arrived_at;    // when its first arrival was applied
};

// An entry the store appends to a restock's timeline.
struct TimelineEntry {
  TimelineKind kind = TimelineKind::arrived;
  std::string detail;
};

struct RequestedPlan {
  bool record = false;  // false: nothing to write, the call answers false
  RestockState state_after = RestockState::requested;
  TimePoint requested_at{};
  RestockRequested event;  // for the outbox (its "queued" entry goes on the timeline with it)
};

// `restock`: the restock as loaded (nullopt: no such restock).
RequestedPlan plan_mark_requested(const std::optional<RestockRecord>& restock, TimePoint now,
                                  IdSource& ids);

// What the store knows before an arrival is decided.
struct ArrivalSnapshot {
  struct Product {
    int64_t stock = 0;
    std::string open_restock_id;  // empty: no restock open
    LeadTimeEstimate lead_time;
  };
  std::optional<Product> product;        // nullopt: unknown product
  bool request_applied = false;          // an arrival with this request id was applied before
  bool request_held = false;             // an arrival with this request id was held before
  std::optional<RestockRecord> restock;  // the restock the arrival names, if it exists
};

struct ArrivalPlan {
  ArrivalOutcome outcome;
  bool record_arrival = false;      // insert the arrival row (its request id is new)
  std::optional<HeldReason> hold;   // insert the held arrival row instead (no stock added)
  bool add_stock = false;           // stock becomes outcome.stock_after
  bool clear_open_restock = false;  // the product's open restock is the one that arrived
  bool close_restock = false;       // restock -> arrived, arrived_at = now (first arrival only)
  std::optional<LeadTimeEstimate> lead_time;  // the product's, learned from a first arrival
  std::vector<TimelineEntry> timeline;        // on arrival.restock_id, in order (empty id: none)
  std::optional<StockArrived> event;          // for the outbox
};

ArrivalPlan plan_arrival(const Arrival& arrival, const ArrivalSnapshot& snapshot, TimePoint now,
                         IdSource& ids);

struct HeldDecisionPlan {
  bool record = false;                    // false: it was decided this way before; nothing to write
  HeldArrival after;                      // the held arrival as decided
  bool add_stock = false;                 // release: record the arrival row, stock -> stock_after
  int64_t stock_after = 0;                // the product's stock after the decision
  std::optional<TimelineEntry> timeline;  // on after.arrival.restock_id (a restock it names)
  std::optional<StockArrived> event;      // release: for the outbox
};

// `held` as stored, `stock` its product's stock as loaded. conflict when it was decided the
// other way.
Result<HeldDecisionPlan> plan_held_decision(const HeldArrival& held, HeldDecision decision,
                                            int64_t stock, TimePoint now, IdSource& ids);

}  // namespace donut::domain
