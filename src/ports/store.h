// Store port: the warehouse. Products and stock, orders, idempotency records, restocks,
// arrivals and the transactional outbox, behind one interface with one implementation per
// engine (in-memory for tests, SQLite embedded, MySQL/MariaDB).
//
// Promises every implementation keeps (checked by tests/contract/store_contract_test.cc):
// - `place_orders` decides every order of the batch in ONE transaction, in the given order.
//   Stock never goes below zero. A sold order has its order row; a stock-out that opens a
//   restock writes the restock row and its `stock.empty` outbox event in the same transaction.
//   Either the whole batch commits or the call returns an Error and nothing changed. The rule
//   itself is domain::plan_sales; an engine loads its snapshot and applies its plan.
// - An idempotency key answers every later request with the first request's outcome
//   (`replayed`), or `key_reused` when the product or quantity differ.
// - `apply_arrival` applies a request id at most once, ever; `apply_arrival` and
//   `mark_restock_requested` follow domain::plan_arrival and domain::plan_mark_requested (an
//   engine loads their snapshot and applies their plan), so a restock's states, times and
//   timeline are the same on every engine.
// - An arrival that answers no restock the shop waits for is held (domain::plan_arrival): one
//   held row per request id, the stock untouched, kept until the operator decides
//   (`decide_held_arrival`, domain::plan_held_decision: a release applies it once) and never
//   pruned.
// - Outbox entries are returned oldest first until marked published; publishing the same
//   entry twice must be harmless for consumers (at-least-once). A publisher claims entries
//   before publishing them: claims of publishers running at once never overlap while their
//   leases run, so each entry is published once in the normal case; a publisher that dies keeps
//   its entries only until its lease ends.
// - A restock's timeline holds, oldest first, what the store itself did to it (the stock-out
//   that opened it, with the order; each outbox event queued and when it was published; the
//   arrival applied or ignored as a duplicate; superseded) in the same transaction as the change,
//   and what workers recorded about it (deliveries, the factory's answers, mails).
// - A product's replenishment state (domain/replenishment.h) lives in its row: `place_orders`
//   feeds each batch's demand back and `apply_arrival` each restock's first lead time, in their
//   transactions, as their plans say. Products read back carry the policy's figures as of the
//   read (the store's clock), the same on every engine.
// - `stats()` costs the same whatever the history: its figures are running totals
//   (domain/figures.h) moved in the transaction that changes what they count, never lowered by
//   `prune`, which deletes only idempotency keys, published outbox entries, timeline entries
//   and arrivals, oldest first, a bounded batch per transaction.
// Thread-safe: any number of threads may call any method concurrently.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/time.h"
#include "domain/arrival.h"
#include "domain/figures.h"
#include "domain/order.h"
#include "domain/product.h"
#include "domain/restock.h"
#include "domain/timeline.h"

namespace donut::ports {

struct OutboxEntry {
  int64_t id = 0;
  std::string topic;
  std::string type;  // event type, carried as a message attribute for subscription filters
  std::string body;  // JSON event
  TimePoint created_at{};
};

struct ProductStats {
  std::string product_id;
  int64_t stock = 0;
  int64_t orders = 0;
  int64_t units_sold = 0;
  int64_t orders_refused = 0;  // for want of stock: the sales lost
  domain::ReplenishmentSettings replenishment_settings;
  domain::ReplenishmentFigures replenishment;  // as of the read
  int64_t arrivals = 0;
  int64_t units_arrived = 0;
  int64_t restocks_open = 0;
  int64_t restocks_requested = 0;
  int64_t restocks_arrived = 0;
  int64_t restocks_superseded = 0;
  int64_t units_restocked = 0;        // what the arrived restocks asked the factory for
  int64_t arrivals_held = 0;          // ever held for the operator
  int64_t arrivals_held_waiting = 0;  // held and not yet released or discarded

  // `n` more restocks in `state`.
  void count_restocks(domain::RestockState state, int64_t n) {
    switch (state) {
      case domain::RestockState::open:
        restocks_open += n;
        break;
      case domain::RestockState::requested:
        restocks_requested += n;
        break;
      case domain::RestockState::arrived:
        restocks_arrived += n;
        break;
      case domain::RestockState::superseded:
        restocks_superseded += n;
        break;
    }
  }
};

// Restock lead time (stock-out to first arrival) as a cumulative histogram over every restock
// that arrived: `cumulative[i]` restocks took at most kLeadTimeBounds[i] seconds.
using domain::kLeadTimeBounds;
struct LeadTimes {
  std::vector<int64_t> cumulative = std::vector<int64_t>(std::size(kLeadTimeBounds), 0);
  int64_t count = 0;
  double sum_seconds = 0;
};

struct WarehouseStats {
  std::vector<ProductStats> products;
  int64_t outbox_pending = 0;
  std::optional<TimePoint> outbox_oldest_pending;  // created_at of the oldest unpublished entry
  LeadTimes lead_times;
  // Timeline entries by kind over all restocks (factory answers, arrivals, duplicates...), ever
  // written (pruning a timeline does not lower them), ordered by the kinds' spelling.
  std::vector<std::pair<domain::TimelineKind, int64_t>> restock_event_counts;
};

// Adds one stored running total (domain/figures.h) to `stats`, whose `products` are already
// listed, sorted by id: totals of products not listed, and figures this binary does not know
// (written by a newer one), are left out.
inline void add_total(WarehouseStats& stats, std::string_view figure, std::string_view subject,
                      int64_t total) {
  namespace f = domain::figure;
  if (figure == f::kTimelineEntries) {
    const auto kind = domain::parse_timeline_kind(subject);
    if (!kind) return;
    auto& counts = stats.restock_event_counts;
    auto at = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return domain::to_string(c.first) > subject; });
    counts.emplace(at, *kind, total);
  } else if (figure == f::kLeadTimeBucket) {
    const std::size_t bucket = std::strtoull(std::string(subject).c_str(), nullptr, 10);
    auto& cumulative = stats.lead_times.cumulative;
    for (std::size_t i = bucket; i < cumulative.size(); ++i) cumulative[i] += total;
    stats.lead_times.count += total;
  } else if (figure == f::kLeadTimeMillis) {
    stats.lead_times.sum_seconds += static_cast<double>(total) / 1000.0;
  } else {
    auto product = std::lower_bound(
        stats.products.begin(), stats.products.end(), subject,
        [](const ProductStats& p, std::string_view id) { return p.product_id < id; });
    if (product == stats.products.end() || product->product_id != subject) return;
    if (figure == f::kArrivals) {
      product->arrivals += total;
    } else if (figure == f::kUnitsArrived) {
      product->units_arrived += total;
    } else if (figure == f::kUnitsRestocked) {
      product->units_restocked += total;
    } else if (figure == f::kArrivalsHeld) {
      product->arrivals_held += total;
    } else if (figure == f::kArrivalsHeldWaiting) {
      product->arrivals_held_waiting += total;
    } else if (figure.starts_with(f::kRestocksPrefix)) {
      const auto state = domain::parse_restock_state(figure.substr(f::kRestocksPrefix.size()));
      if (state) product->count_restocks(*state, total);
    }
  }
}

// What the warehouse prunes, each by its own time: idempotency keys by when their order was
// decided, outbox entries by when they were published, timeline entries by when they were
// written, arrivals by when they were applied. Held arrivals are not among them: never pruned.
enum class Retained { idempotency_keys, published_outbox, timeline_entries, arrivals };

// One entry of a restock's timeline; its kinds, and which the store writes itself, are
// domain::TimelineKind (domain/timeline.h). An entry whose stored kind this binary does not know
// (written by a newer one) is left out.
struct RestockEvent {
  TimePoint at{};
  domain::TimelineKind kind = domain::TimelineKind::stock_out;
  std::string detail;
};

struct RestockHistory {
  domain::Restock restock;
  std::optional<TimePoint> requested_at;
  std::optional<TimePoint> arrived_at;
  std::vector<RestockEvent> events;  // oldest first
};

// What `claim_restock` found and did.
struct RestockClaim {
  domain::ClaimDecision decision;
  domain::Restock restock;  // valid unless decision.verdict == unknown
};

class Store {
 public:
  virtual ~Store() = default;

  // --- catalogue -------------------------------------------------------------------------
  // Creates the product with its initial stock, or updates name, price, restock quantity and
  // replenishment settings of an existing one (stock and what the warehouse learned untouched).
  virtual Status upsert_product(const domain::ProductSpec& spec) = 0;
  virtual Result<std::vector<domain::Product>> list_products() = 0;
  virtual Result<domain::Product> get_product(std::string_view product_id) = 0;  // not_found
  // Operator override of the stock level.
  virtual Result<domain::Product> set_stock(std::string_view product_id, int64_t stock) = 0;
  // Sets the product's replenishment settings, checked against its restock quantity
  // (domain::validate_replenishment: invalid_argument); what the warehouse learned is kept.
  // not_found for an unknown product.
  virtual Result<domain::Product> set_replenishment(
      std::string_view product_id, const domain::ReplenishmentSettings& settings) = 0;

  // --- sales -----------------------------------------------------------------------------
  // `locked`, when given, runs once before anything is written, when every product of the
  // batch is locked for this transaction: a caller pipelining batches starts the next one
  // then, and the next batch waits for these rows, so a product's orders are still decided in
  // the order they were taken (an engine that retries a transaction after a deadlock does not
  // call it again). The engine may call it later, up to the end of the call, never earlier.
  virtual Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) = 0;
  Result<std::vector<domain::OrderOutcome>> place_orders(
      std::span<const domain::OrderRequest> requests) {
    return place_orders(requests, {});
  }
  // How many `place_orders` transactions may usefully run at once: 1 where one commits at a
  // time (SQLite's single writer, the memory store's lock); more where the engine lets a
  // transaction take rows another has committed but not yet flushed (InnoDB releases its row
  // locks before the log is on disk), so the next batch's statements overlap this one's fsync.
  virtual std::size_t pipelined_batches() const { return 1; }
  virtual Result<domain::Order> get_order(std::string_view order_id) = 0;  // not_found

  // --- restocks --------------------------------------------------------------------------
  // Takes (or renews) the lease on an open restock for `owner` until `lease_until`.
  virtual Result<RestockClaim> claim_restock(std::string_view restock_id, std::string_view owner,
                                             TimePoint lease_until) = 0;
  // The factory accepted: open -> requested (an arrived restock stays arrived), plus a
  // `restock.requested` outbox event, once per restock. Returns false (and changes nothing)
  // when it was recorded before, or the restock is unknown or superseded.
  virtual Result<bool> mark_restock_requested(std::string_view restock_id) = 0;
  // Gives the lease back after a failed factory call so the next delivery can claim at once.
  virtual Status release_restock(std::string_view restock_id, std::string_view owner) = 0;
  virtual Result<domain::Restock> get_restock(std::string_view restock_id) = 0;  // not_found
  // Appends a worker's observation to a restock's timeline (unknown restocks are not checked:
  // the entry is kept for when the restock's row shows up, as with a replica lagging behind).
  virtual Status record_restock_event(std::string_view restock_id, domain::TimelineKind kind,
                                      std::string_view detail) = 0;
  // The latest `max` restocks, of `product_id` (empty: of every product), newest first, each
  // with its timeline.
  virtual Result<std::vector<RestockHistory>> restock_history(std::string_view product_id,
                                                              std::size_t max) = 0;

  // --- arrivals --------------------------------------------------------------------------
  // Adds the quantity to the stock once per request id, closes the restock, and writes a
  // `stock.arrived` outbox event, all in one transaction.
  virtual Result<domain::ArrivalOutcome> apply_arrival(const domain::Arrival& arrival) = 0;
  // The latest `max` held arrivals, waiting or decided, newest first.
  virtual Result<std::vector<domain::HeldArrival>> held_arrivals(std::size_t max) = 0;
  // The operator's decision about the held arrival `request_id`, in one transaction: a release
  // adds its quantity to the stock and queues `stock.arrived`; a discard adds nothing. Answers
  // the held arrival as decided; the same decision again changes nothing. not_found for no such
  // held arrival, conflict when it was decided the other way.
  virtual Result<domain::HeldArrival> decide_held_arrival(std::string_view request_id,
                                                          domain::HeldDecision decision) = 0;

  // --- outbox ----------------------------------------------------------------------------
  // The oldest pending entries, claimed or not (a look, not a claim).
  virtual Result<std::vector<OutboxEntry>> pending_outbox(std::size_t max_entries) = 0;
  // Claims up to `max_entries` pending entries, oldest first, for `owner` for `lease`: entries
  // another owner holds (its lease still running) are left out, in one transaction.
  virtual Result<std::vector<OutboxEntry>> claim_outbox(std::string_view owner,
                                                        std::size_t max_entries, Millis lease) = 0;
  // Gives up `owner`'s claims on these entries (published or not): another publisher may take
  // the unpublished ones at once.
  virtual Status release_outbox(std::string_view owner, std::span<const int64_t> outbox_ids) = 0;
  // Marks entries published (whoever claimed them; their claims end).
  virtual Status mark_published(std::span<const int64_t> outbox_ids) = 0;

  // --- retention -------------------------------------------------------------------------
  // Deletes up to `max_rows` rows of `what` older than `older_than`, oldest first, in one short
  // transaction, and answers how many it deleted: fewer than `max_rows` when nothing more is
  // due. Restocks are never deleted, nor pending outbox entries; the running totals (stats())
  // are left as they are. Which windows are safe is app/pruner.h's business.
  virtual Result<int64_t> prune(Retained what, TimePoint older_than, std::size_t max_rows) = 0;

  // --- operations ------------------------------------------------------------------------
  virtual Result<WarehouseStats> stats() = 0;
  virtual Status ping() = 0;  // cheap round trip; `unavailable` when the engine is down
};

}  // namespace donut::ports
