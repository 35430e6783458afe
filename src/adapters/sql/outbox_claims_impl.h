// The outbox's claims, written once for SQL engines (see warehouse_store.h): which publisher
// holds a pending entry, until when (table outbox_claims, one row per claimed entry, removed
// when the entry is published or the claim given up). Claiming is one transaction: the
// claimable entries are read (on MySQL with FOR UPDATE SKIP LOCKED, so two publishers claiming at
// once lock different rows instead of waiting for each other, at READ COMMITTED so that reading
// a claim that does not exist yet takes no gap lock; SQLite's writers are serialised by BEGIN
// IMMEDIATE) and a claim written for each.
#pragma once

#include "adapters/sql/warehouse_store.h"

namespace donut::sql {

template <class Database, class Dialect>
Result<std::vector<ports::OutboxEntry>> WarehouseStore<Database, Dialect>::claim_outbox(
    std::string_view owner, std::size_t max_entries, Millis lease) {
  const TimePoint now = clock_.now();
  using Entries = std::vector<ports::OutboxEntry>;
  auto claim_in = [&](auto& c) -> Result<Entries> {
    DONUT_ASSIGN_OR_RETURN(auto select, c.prepare(Dialect::kSelectClaimableOutbox));
    select.bind(to_unix_ms(now)).bind(static_cast<int64_t>(max_entries));
    std::vector<ports::OutboxEntry> entries;
    for (;;) {
      DONUT_ASSIGN_OR_RETURN(bool row, select.next());
      if (!row) break;
      entries.push_back({select.column_int(0), select.column_text(1), select.column_text(2),
                         select.column_text(3), from_unix_ms(select.column_int(4))});
    }
    DONUT_ASSIGN_OR_RETURN(auto claim, c.prepare(Dialect::kUpsertOutboxClaim));
    for (const auto& entry : entries) {
      claim.bind(entry.id).bind(owner).bind(to_unix_ms(now + lease));
      DONUT_RETURN_IF_ERROR(detail::run_named(claim, "claim outbox"));
      claim.reset();
    }
    return entries;
  };
  if constexpr (Dialect::kClaimsReadCommitted) {
    return db_->template transaction_read_committed<Entries>(claim_in);
  } else {
    return db_->template transaction<Entries>(claim_in);
  }
}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::release_outbox(std::string_view owner,
                                                         std::span<const int64_t> outbox_ids) {
  if (outbox_ids.empty()) return ok();
  return db_->template transaction<void>([&](auto& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(
        auto s, c.prepare("DELETE FROM outbox_claims WHERE outbox_id = ? AND claimed_by = ?"));
    for (int64_t id : outbox_ids) {
      s.bind(id).bind(owner);
      DONUT_RETURN_IF_ERROR(detail::run_named(s, "release outbox"));
      s.reset();
    }
    return ok();
  });
}

}  // namespace donut::sql
