// The closed vocabularies of a restock's timeline: what the warehouse and its workers write on
// it (`TimelineKind`) and what the factory answered a manufacture request (`FactoryAnswer`).
//
// Every kind has one spelling, `to_string`, which is what the stores keep, the admin API and
// `donut restocks` show, the metrics count and the console (`src/web/ops.js`) reads; `parse`
// is its inverse and answers nullopt for any other text. Kinds are never renamed: stored
// timelines outlive the binary that wrote them.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace donut::domain {

enum class TimelineKind {
  // Written by the store in the transaction that does the work.
  stock_out,          // a sale emptied the shelf or an order was refused: the restock opened
  queued,             // an event about the restock went into the outbox (detail: its type)
  published,          // that event left the outbox (derived from the outbox row)
  superseded,         // a newer restock replaced this stale one
  arrived,            // an arrival was applied to the stock
  duplicate_arrival,  // an arrival repeated a request id applied before: nothing changed
  held_arrival,       // an arrival answered no restock the shop waits for: held, nothing added
  discarded_arrival,  // the operator discarded a held arrival: nothing added
  // Written by workers (`Store::record_restock_event`).
  delivery,            // the restock worker claimed a delivery of the stock-out message
  duplicate_delivery,  // a delivery found the restock already requested, arrived or superseded
  busy_delivery,       // a delivery found another worker's live lease
  factory_accepted,    // one per factory call, by answer (see FactoryAnswer)
  factory_rejected,
  factory_timeout,
  factory_unavailable,
  factory_error,
  mail,  // the notifier mailed about the restock
};

std::span<const TimelineKind> all_timeline_kinds() noexcept;
std::string_view to_string(TimelineKind kind) noexcept;
std::optional<TimelineKind> parse_timeline_kind(std::string_view text) noexcept;

// How a manufacture request ended, as the restock worker saw it.
enum class FactoryAnswer {
  accepted,     // 2xx: the factory will call back
  rejected,     // the factory refused the request (4xx): asking again will not help
  timeout,      // no answer in time: the factory may have accepted
  unavailable,  // 5xx, throttled or unreachable
  error,        // anything else
};

std::span<const FactoryAnswer> all_factory_answers() noexcept;
std::string_view to_string(FactoryAnswer answer) noexcept;
// The timeline kind a factory call is written as (factory_<answer>), and back.
TimelineKind timeline_kind(FactoryAnswer answer) noexcept;
std::optional<FactoryAnswer> factory_answer(TimelineKind kind) noexcept;

}  // namespace donut::domain
