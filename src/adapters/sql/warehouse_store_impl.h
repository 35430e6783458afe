// The implementation of WarehouseStore (see warehouse_store.h). Included only by the engine
// adapters that instantiate it (sqlite_store.cc, mysql_store.cc).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "adapters/sql/warehouse_store.h"
#include "codec/events_json.h"
#include "common/assert.h"
#include "common/ids.h"
#include "domain/figures.h"
#include "domain/restock_plans.h"
#include "domain/timeline.h"

namespace donut::sql {
namespace detail {

// Statements of many rows: `head`, then `row` repeated `n` times with `separator` between,
// then `tail`. A batch of up to `exact` rows goes in as one statement of its exact size, one
// round trip to a server; a larger one in chunks of powers of two up to `largest`, then the
// rest. Each size keeps one cached prepared statement per connection: `exact` plus the powers
// above it (servers count them: MySQL's max_prepared_stmt_count).
class RowStatements {
 public:
  RowStatements(std::string_view head, std::string_view row, std::string_view separator,
                std::string_view tail, std::size_t exact, std::size_t largest)
      : exact_(exact), sql_(largest + 1) {
    DONUT_ASSERT(exact >= 1 && exact <= largest && std::has_single_bit(largest));
    for (std::size_t n = 1; n <= largest; ++n) {
      if (n > exact && !std::has_single_bit(n)) continue;
      std::string& sql = sql_[n];
      sql.reserve(head.size() + n * (row.size() + separator.size()) + tail.size());
      sql.append(head).append(row);
      for (std::size_t i = 1; i < n; ++i) sql.append(separator).append(row);
      sql.append(tail);
    }
  }
  // Calls `run(first, count, sql)` for each statement that `rows` rows take, in order: rows
  // [first, first + count) go in `sql`. Stops at the first error `run` returns.
  template <class Run>
  Status for_each_chunk(std::size_t rows, Run run) const {
    for (std::size_t first = 0; first < rows;) {
      const std::size_t count = chunk(rows - first);
      DONUT_RETURN_IF_ERROR(run(first, count, sql(count)));
      first += count;
    }
    return ok();
  }

 private:
  std::size_t chunk(std::size_t left) const {
    if (left <= exact_) return left;
    return std::min(std::bit_floor(left), sql_.size() - 1);
  }
  std::string_view sql(std::size_t rows) const {
    DONUT_ASSERT(rows > 0 && rows < sql_.size() && !sql_[rows].empty());
    return sql_[rows];
  }

  std::size_t exact_;
  std::vector<std::string> sql_;
};

// Orders: a batch of up to 64 (what 64 waiting connections make) in one statement; at most 66
// statements per connection.
inline const RowStatements& insert_orders_statements() {
  static const RowStatements statements(
      "INSERT INTO orders (id, product_id, quantity, created_at_ms) VALUES ", "(?,?,?,?)", ",", "",
      64, 256);
  return statements;
}

// Idempotency keys, read and written once per batch rather than once per key: exact sizes up to
// 16, then 32 and 64 (18 statements each per connection).
inline const RowStatements& find_keys_statements() {
  static const RowStatements statements(
      "SELECT idem_key, product_id, quantity, status, order_id, stock_left, restock_id, "
      "decided_at_ms FROM idempotency_keys WHERE idem_key IN (",
      "?", ",", ")", 16, 64);
  return statements;
}
inline const RowStatements& insert_keys_statements() {
  static const RowStatements statements(
      "INSERT INTO idempotency_keys (idem_key, product_id, quantity, status, order_id, "
      "stock_left, restock_id, decided_at_ms) VALUES ",
      "(?,?,?,?,?,?,?,?)", ",", "", 16, 64);
  return statements;
}

// DONUT_SQL_REPLENISHMENT_COLUMNS, from column `first` on. A policy this binary does not know
// (there is none: the schema's CHECK allows only these) reads as at_zero.
template <class Row>
domain::ReplenishmentState read_replenishment(const Row& s, int first) {
  domain::ReplenishmentState r;
  r.settings.policy = domain::parse_replenishment_policy(s.column_view(first))
                          .value_or(domain::ReplenishmentPolicy::at_zero);
  r.settings.max_restock_quantity = s.column_int(first + 1);
  r.settings.service_level_bp = s.column_int(first + 2);
  r.demand.fast_micros = s.column_int(first + 3);
  r.demand.slow_micros = s.column_int(first + 4);
  r.demand.square_micros = s.column_int(first + 5);
  r.demand.updated_at = from_unix_ms(s.column_int(first + 6));
  r.lead_time.estimate = Millis(s.column_int(first + 7));
  r.lead_time.deviation = Millis(s.column_int(first + 8));
  r.lead_time.arrivals = s.column_int(first + 9);
  return r;
}

// A row of DONUT_SQL_PRODUCT_COLUMNS, with its policy's figures as of `now`.
template <class Row>
domain::Product read_product(const Row& s, TimePoint now) {
  domain::Product p;
  p.id = s.column_text(0);
  p.name = s.column_text(1);
  p.price_cents = s.column_int(2);
  p.stock = s.column_int(3);
  p.restock_quantity = s.column_int(4);
  p.open_restock_id = s.column_text(5);
  p.replenishment = read_replenishment(s, 6);
  p.figures = domain::replenishment_figures(p.replenishment, p.restock_quantity, now);
  return p;
}

template <class Row>
domain::Restock read_restock(const Row& s) {
  domain::Restock r;
  r.id = s.column_text(0);
  r.product_id = s.column_text(1);
  r.quantity = s.column_int(2);
  r.state = domain::parse_restock_state(s.column_view(3)).value_or(domain::RestockState::open);
  r.opened_at = from_unix_ms(s.column_int(4));
  r.claimed_by = s.column_text(5);
  r.claim_expires_at = from_unix_ms(s.column_int(6));
  return r;
}

// A restock row with its requested and arrived times (columns 7 and 8).
template <class Row>
domain::RestockRecord read_restock_record(const Row& s) {
  domain::RestockRecord r{read_restock(s), std::nullopt, std::nullopt};
  if (!s.column_is_null(7)) r.requested_at = from_unix_ms(s.column_int(7));
  if (!s.column_is_null(8)) r.arrived_at = from_unix_ms(s.column_int(8));
  return r;
}

// `for_update` locks the row until the transaction ends (writers must; readers need not).
template <class Dialect, class Connection>
Result<std::optional<domain::Product>> find_product(Connection& c, std::string_view id,
                                                    TimePoint now, bool for_update = false) {
  DONUT_ASSIGN_OR_RETURN(auto s,
                         c.prepare(for_update ? Dialect::kSelectProductLocked
                                              : std::string_view("SELECT " DONUT_SQL_PRODUCT_COLUMNS
                                                                 " FROM products WHERE id = ?")));
  s.bind(id);
  DONUT_ASSIGN_OR_RETURN(bool row, s.next());
  if (!row) return std::optional<domain::Product>();
  return std::optional<domain::Product>(detail::read_product(s, now));
}

// Adds `changes` to the running totals (domain/figures.h), in the transaction that made them,
// each total once and in one order, so two transactions never wait on each other's totals in a
// cycle.
template <class Dialect, class Connection>
Status add_totals(Connection& c, domain::TotalChanges changes) {
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.figure, a.subject) < std::tie(b.figure, b.subject);
  });
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(Dialect::kAddToTotal));
  for (std::size_t i = 0; i < changes.size();) {
    int64_t delta = 0;
    std::size_t j = i;
    for (; j < changes.size() && changes[j].figure == changes[i].figure &&
           changes[j].subject == changes[i].subject;
         ++j) {
      delta += changes[j].delta;
    }
    if (delta != 0) {
      s.bind(changes[i].figure).bind(changes[i].subject).bind(delta);
      DONUT_RETURN_IF_ERROR(detail::run_named(s, "add to total"));
      s.reset();
    }
    i = j;
  }
  return ok();
}

// Appends to a restock's timeline, counting the entry in `totals`; `outbox_id` links a queued
// event to its outbox row.
template <class Connection>
Status insert_restock_event(Connection& c, domain::TotalChanges& totals,
                            std::string_view restock_id, domain::TimelineKind kind,
                            std::string_view detail, TimePoint at, int64_t outbox_id = 0) {
  domain::count_timeline_entry(kind, totals);
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("INSERT INTO restock_events (restock_id, at_ms, kind, "
                                           "detail, outbox_id) VALUES (?, ?, ?, ?, ?)"));
  s.bind(restock_id).bind(to_unix_ms(at)).bind(domain::to_string(kind)).bind(detail.substr(0, 500));
  if (outbox_id != 0) {
    s.bind(outbox_id);
  } else {
    s.bind_null();
  }
  return detail::run_named(s, "insert restock event");
}

// The event's outbox row, and its "queued" entry on the restock's timeline.
template <class Dialect, class Connection>
Status insert_outbox(Connection& c, domain::TotalChanges& totals, const domain::Event& event,
                     TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("INSERT INTO outbox (topic, type, body, created_at_ms) "
                                           "VALUES (?, ?, ?, ?)"));
  s.bind(domain::kStockEventsTopic)
      .bind(domain::event_type(event))
      .bind(codec::encode_event(event))
      .bind(to_unix_ms(now));
  DONUT_RETURN_IF_ERROR(detail::run_named(s, "insert outbox"));
  const int64_t outbox_id = Dialect::inserted_id(c, s);
  const std::string& restock_id = domain::event_restock_id(event);
  if (restock_id.empty()) return ok();
  return insert_restock_event(c, totals, restock_id, domain::TimelineKind::queued,
                              domain::event_type(event), now, outbox_id);
}

// A row of find_keys_statements(): the key (column 0) and the outcome recorded under it.
template <class Row>
Result<domain::OrderOutcome> read_key_record(const Row& s) {
  const auto status = domain::parse_order_status(s.column_view(3));
  if (!status) {
    return make_error(ErrorCode::internal, "idempotency key " + s.column_text(0) +
                                               " has an unknown status " + s.column_text(3));
  }
  domain::OrderOutcome o;
  o.product_id = s.column_text(1);
  o.quantity = s.column_int(2);
  o.status = *status;
  o.order_id = s.column_text(4);
  o.stock_left = s.column_int(5);
  o.restock_id = s.column_text(6);
  o.decided_at = from_unix_ms(s.column_int(7));
  return o;
}

// The outcomes recorded under `keys` (sorted, unique), into `found`. A row whose key differs
// from every one asked for (a case-insensitive collation) is no record of this batch's keys.
template <class Connection>
Status find_keys(Connection& c, std::span<const std::string_view> keys,
                 std::map<std::string, domain::OrderOutcome, std::less<>>& found) {
  return find_keys_statements().for_each_chunk(
      keys.size(), [&](std::size_t first, std::size_t count, std::string_view sql) -> Status {
        const auto asked = keys.subspan(first, count);
        DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
        for (std::string_view key : asked) s.bind_borrowed(key);
        for (;;) {
          DONUT_ASSIGN_OR_RETURN(bool row, s.next());
          if (!row) return ok();
          if (!std::binary_search(asked.begin(), asked.end(), s.column_view(0))) continue;
          DONUT_ASSIGN_OR_RETURN(auto outcome, read_key_record(s));
          found.emplace(s.column_text(0), std::move(outcome));
        }
      });
}

// What the sale rule needs to decide `requests`: the recorded keys, then the products the
// replays do not answer, each row locked until the transaction ends, in sorted order.
template <class Dialect, class Connection>
Result<domain::SaleSnapshot> load_sale_snapshot(Connection& c,
                                                std::span<const domain::OrderRequest> requests) {
  domain::SaleSnapshot snapshot;
  DONUT_RETURN_IF_ERROR(find_keys(c, domain::keys_to_load(requests), snapshot.keys));
  for (std::string_view id : domain::products_to_load(requests, snapshot.keys)) {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(Dialect::kSelectStockLocked));
    s.bind(id);
    DONUT_ASSIGN_OR_RETURN(bool row, s.next());
    // A case-insensitive collation (a MySQL database made before the first migration) finds
    // the row for an id that differs in case: that id is no product, or one batch would sell
    // the same stock once per spelling.
    if (!row || s.column_view(0) != id) continue;
    snapshot.products.emplace(
        id, domain::StockState{s.column_int(1), s.column_int(2), s.column_text(3),
                               from_unix_ms(s.column_int(4)), read_replenishment(s, 5)});
  }
  return snapshot;
}

template <class Dialect, class Connection>
Status insert_opened_restock(Connection& c, domain::TotalChanges& totals,
                             const domain::OpenedRestock& opened, TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("INSERT INTO restocks (id, product_id, quantity, "
                                           "state, opened_at_ms) VALUES (?, ?, ?, 'open', ?)"));
  s.bind(opened.restock.id)
      .bind(opened.restock.product_id)
      .bind(opened.restock.quantity)
      .bind(to_unix_ms(opened.restock.opened_at));
  DONUT_RETURN_IF_ERROR(detail::run_named(s, "insert restock"));
  domain::count_opened(opened.restock, totals);
  DONUT_RETURN_IF_ERROR(insert_restock_event(
      c, totals, opened.restock.id, domain::TimelineKind::stock_out, opened.stock_out, now));
  return insert_outbox<Dialect>(c, totals, opened.event, now);
}

// The outcomes the plan decided under new idempotency keys, in as few statements as the
// batch allows.
template <class Connection>
Status insert_key_records(Connection& c, const domain::SalePlan& plan) {
  return insert_keys_statements().for_each_chunk(
      plan.keys.size(), [&](std::size_t first, std::size_t count, std::string_view sql) -> Status {
        DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
        for (const auto& record : std::span(plan.keys).subspan(first, count)) {
          const domain::OrderOutcome& o = plan.outcomes[record.outcome];
          s.bind_borrowed(record.key)
              .bind_borrowed(o.product_id)
              .bind(o.quantity)
              .bind(domain::to_string(o.status))
              .bind_optional(o.order_id)
              .bind(o.stock_left)
              .bind_optional(o.restock_id)
              .bind(to_unix_ms(o.decided_at));
        }
        return detail::run_named(s, "insert idempotency keys");
      });
}

template <class Connection>
Status update_product(Connection& c, const domain::ProductChange& change) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE products SET stock = ?, open_restock_id = ?, "
                                           "restock_opened_at_ms = ?, demand_fast_micros = ?, "
                                           "demand_slow_micros = ?, demand_square_micros = ?, "
                                           "demand_at_ms = ? WHERE id = ?"));
  const auto& demand = change.state.replenishment.demand;
  s.bind(change.state.stock)
      .bind_optional(change.state.open_restock_id)
      .bind(to_unix_ms(change.state.restock_opened_at))
      .bind(demand.fast_micros)
      .bind(demand.slow_micros)
      .bind(demand.square_micros)
      .bind(to_unix_ms(demand.updated_at))
      .bind(change.product_id);
  DONUT_RETURN_IF_ERROR(detail::run_named(s, "update product"));
  if (change.orders_sold == 0 && change.orders_refused == 0) return ok();
  DONUT_ASSIGN_OR_RETURN(auto t, c.prepare("UPDATE product_sales SET orders = orders + ?, "
                                           "units = units + ?, refused_orders = refused_orders + ? "
                                           "WHERE product_id = ?"));
  t.bind(change.orders_sold)
      .bind(change.units_sold)
      .bind(change.orders_refused)
      .bind(change.product_id);
  return detail::run_named(t, "update sales totals");
}

template <class Connection>
Status supersede_restock(Connection& c, domain::TotalChanges& totals,
                         const domain::SupersededRestock& old, std::string_view product_id,
                         TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE restocks SET state = 'superseded' "
                                           "WHERE id = ? AND state = 'open'"));
  s.bind(old.restock_id);
  DONUT_ASSIGN_OR_RETURN(int64_t superseded, s.run());
  if (superseded == 0) return ok();  // the factory accepted it meanwhile: it may still arrive
  domain::count_superseded(product_id, totals);
  return insert_restock_event(c, totals, old.restock_id, domain::TimelineKind::superseded, old.note,
                              now);
}

// The product of a restock the plan opened (a superseded restock's product is the product of
// the restock that replaced it).
inline std::string_view product_of_new_restock(const domain::SalePlan& plan,
                                               std::string_view restock_id) {
  for (const auto& opened : plan.restocks_opened) {
    if (opened.restock.id == restock_id) return opened.restock.product_id;
  }
  DONUT_ASSERT(false, "a restock is superseded only by one the same plan opened");
  return {};
}

template <class Connection>
Status insert_orders(Connection& c, std::span<const domain::Order> rows) {
  return insert_orders_statements().for_each_chunk(
      rows.size(), [&](std::size_t first, std::size_t count, std::string_view sql) -> Status {
        DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
        // The plan outlives the statement: its ids are bound where they are, not copied.
        for (const domain::Order& order : rows.subspan(first, count)) {
          s.bind_borrowed(order.id)
              .bind_borrowed(order.product_id)
              .bind(order.quantity)
              .bind(to_unix_ms(order.created_at));
        }
        return detail::run_named(s, "insert orders");
      });
}

// Runs `sql` (no parameters) and calls `on_row` with each row.
template <class Connection, class OnRow>
Status each_row(Connection& c, std::string_view sql, OnRow on_row) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
  for (;;) {
    DONUT_ASSIGN_OR_RETURN(bool row, s.next());
    if (!row) return ok();
    on_row(s);
  }
}

}  // namespace detail

template <class Database, class Dialect>
WarehouseStore<Database, Dialect>::WarehouseStore(std::shared_ptr<Database> db,
                                                  const ports::Clock& clock,
                                                  domain::RestockPolicy policy)
    : db_(std::move(db)), clock_(clock), policy_(policy) {}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::upsert_product(const domain::ProductSpec& spec) {
  return db_->template transaction<void>([&](auto& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(Dialect::kUpsertProduct));
    s.bind(spec.id)
        .bind(spec.name)
        .bind(spec.price_cents)
        .bind(spec.initial_stock)
        .bind(spec.restock_quantity)
        .bind(domain::to_string(spec.replenishment.policy))
        .bind(spec.replenishment.max_restock_quantity)
        .bind(spec.replenishment.service_level_bp);
    DONUT_RETURN_IF_ERROR(s.run());
    DONUT_ASSIGN_OR_RETURN(auto totals, c.prepare(Dialect::kInsertSalesRowIfNew));
    totals.bind(spec.id);
    DONUT_RETURN_IF_ERROR(totals.run());
    return ok();
  });
}

template <class Database, class Dialect>
Result<std::vector<domain::Product>> WarehouseStore<Database, Dialect>::list_products() {
  const TimePoint now = clock_.now();
  return db_->with_connection([&](auto& c) -> Result<std::vector<domain::Product>> {
    std::vector<domain::Product> products;
    DONUT_RETURN_IF_ERROR(detail::each_row(
        c, "SELECT " DONUT_SQL_PRODUCT_COLUMNS " FROM products ORDER BY id",
        [&](const auto& row) { products.push_back(detail::read_product(row, now)); }));
    return products;
  });
}

template <class Database, class Dialect>
Result<domain::Product> WarehouseStore<Database, Dialect>::get_product(
    std::string_view product_id) {
  const TimePoint now = clock_.now();
  return db_->with_connection([&](auto& c) -> Result<domain::Product> {
    DONUT_ASSIGN_OR_RETURN(auto found, detail::find_product<Dialect>(c, product_id, now));
    if (!found)
      return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
    return std::move(*found);
  });
}

template <class Database, class Dialect>
Result<domain::Product> WarehouseStore<Database, Dialect>::set_stock(std::string_view product_id,
                                                                     int64_t stock) {
  const TimePoint now = clock_.now();
  return db_->template transaction<domain::Product>([&](auto& c) -> Result<domain::Product> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE products SET stock = ? WHERE id = ?"));
    s.bind(stock).bind(product_id);
    DONUT_ASSIGN_OR_RETURN(int64_t changed, s.run());
    if (changed == 0) {
      return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
    }
    DONUT_ASSIGN_OR_RETURN(auto found, detail::find_product<Dialect>(c, product_id, now));
    return std::move(*found);
  });
}

template <class Database, class Dialect>
Result<domain::Product> WarehouseStore<Database, Dialect>::set_replenishment(
    std::string_view product_id, const domain::ReplenishmentSettings& settings) {
  const TimePoint now = clock_.now();
  return db_->template transaction<domain::Product>([&](auto& c) -> Result<domain::Product> {
    DONUT_ASSIGN_OR_RETURN(auto found, detail::find_product<Dialect>(c, product_id, now, true));
    if (!found) {
      return make_error(ErrorCode::not_found, "no product '" + std::string(product_id) + "'");
    }
    DONUT_RETURN_IF_ERROR(domain::validate_replenishment(settings, found->restock_quantity));
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE products SET replenishment_policy = ?, "
                                             "max_restock_quantity = ?, service_level_bp = ? "
                                             "WHERE id = ?"));
    s.bind(domain::to_string(settings.policy))
        .bind(settings.max_restock_quantity)
        .bind(settings.service_level_bp)
        .bind(product_id);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "set replenishment"));
    found->replenishment.settings = settings;
    found->figures =
        domain::replenishment_figures(found->replenishment, found->restock_quantity, now);
    return std::move(*found);
  });
}

// The rule is domain::plan_sales; this loads its snapshot and writes its plan, in one
// transaction.
template <class Database, class Dialect>
Result<std::vector<domain::OrderOutcome>> WarehouseStore<Database, Dialect>::place_orders(
    std::span<const domain::OrderRequest> requests, const std::function<void()>& locked) {
  const TimePoint now = clock_.now();
  bool told_locked = false;
  return db_->template transaction<std::vector<domain::OrderOutcome>>(
      [&](auto& c) -> Result<std::vector<domain::OrderOutcome>> {
        DONUT_ASSIGN_OR_RETURN(auto snapshot, detail::load_sale_snapshot<Dialect>(c, requests));
        if (locked && !std::exchange(told_locked, true)) locked();
        auto plan = domain::plan_sales(requests, snapshot, policy_, now, ids_);
        domain::TotalChanges totals;  // moved only by a stock-out: a sale alone writes none
        for (const auto& opened : plan.restocks_opened) {
          DONUT_RETURN_IF_ERROR(detail::insert_opened_restock<Dialect>(c, totals, opened, now));
        }
        DONUT_RETURN_IF_ERROR(detail::insert_key_records(c, plan));
        DONUT_RETURN_IF_ERROR(detail::insert_orders(c, plan.orders));
        for (const auto& change : plan.products) {
          DONUT_RETURN_IF_ERROR(detail::update_product(c, change));
        }
        for (const auto& old : plan.restocks_superseded) {
          DONUT_RETURN_IF_ERROR(detail::supersede_restock(
              c, totals, old, detail::product_of_new_restock(plan, old.replaced_by), now));
        }
        if (!totals.empty()) DONUT_RETURN_IF_ERROR(detail::add_totals<Dialect>(c, totals));
        return std::move(plan.outcomes);
      });
}

template <class Database, class Dialect>
Result<domain::Order> WarehouseStore<Database, Dialect>::get_order(std::string_view order_id) {
  return db_->with_connection([&](auto& c) -> Result<domain::Order> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT id, product_id, quantity, created_at_ms "
                                             "FROM orders WHERE id = ?"));
    s.bind(order_id);
    DONUT_ASSIGN_OR_RETURN(bool row, s.next());
    if (!row) return make_error(ErrorCode::not_found, "no order '" + std::string(order_id) + "'");
    return domain::Order{s.column_text(0), s.column_text(1), s.column_int(2),
                         from_unix_ms(s.column_int(3))};
  });
}

namespace detail {

// `for_update` locks the row until the transaction ends.
template <class Dialect, class Connection>
Result<std::optional<domain::RestockRecord>> find_restock(Connection& c, std::string_view id,
                                                          bool for_update = false) {
  DONUT_ASSIGN_OR_RETURN(
      auto s, c.prepare(for_update ? Dialect::kSelectRestockLocked
                                   : std::string_view("SELECT id, product_id, quantity, state, "
                                                      "opened_at_ms, claimed_by, "
                                                      "claim_expires_at_ms, requested_at_ms, "
                                                      "arrived_at_ms FROM restocks WHERE id = ?")));
  s.bind(id);
  DONUT_ASSIGN_OR_RETURN(bool row, s.next());
  if (!row) return std::optional<domain::RestockRecord>();
  return std::optional<domain::RestockRecord>(detail::read_restock_record(s));
}

// What the arrival rule needs: the product (its row locked), whether the request id was applied,
// and the restock the arrival names (locked too).
template <class Dialect, class Connection>
Result<domain::ArrivalSnapshot> load_arrival_snapshot(Connection& c, const domain::Arrival& arrival,
                                                      TimePoint now) {
  domain::ArrivalSnapshot snapshot;
  DONUT_ASSIGN_OR_RETURN(auto product, find_product<Dialect>(c, arrival.product_id, now, true));
  if (!product) return snapshot;
  snapshot.product = domain::ArrivalSnapshot::Product{product->stock, product->open_restock_id,
                                                      product->replenishment.lead_time};
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT 1 FROM arrivals WHERE request_id = ?"));
  s.bind(arrival.request_id);
  DONUT_ASSIGN_OR_RETURN(snapshot.request_applied, s.next());
  DONUT_ASSIGN_OR_RETURN(auto held, c.prepare("SELECT 1 FROM held_arrivals WHERE request_id = ?"));
  held.bind(arrival.request_id);
  DONUT_ASSIGN_OR_RETURN(snapshot.request_held, held.next());
  if (!arrival.restock_id.empty()) {
    DONUT_ASSIGN_OR_RETURN(snapshot.restock, find_restock<Dialect>(c, arrival.restock_id, true));
  }
  return snapshot;
}

// Binds an arrival's six columns, request id to received at, as the arrivals and the
// held_arrivals tables both start.
template <class Statement>
Statement& bind_arrival(Statement& s, const domain::Arrival& arrival) {
  return s.bind(arrival.request_id)
      .bind_optional(arrival.restock_id)
      .bind(arrival.product_id)
      .bind(arrival.quantity)
      .bind_optional(arrival.factory_id)
      .bind(to_unix_ms(arrival.received_at));
}

template <class Dialect, class Connection>
Status insert_arrival(Connection& c, const domain::Arrival& arrival, TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(auto insert, c.prepare(Dialect::kInsertArrivalIfNew));
  bind_arrival(insert, arrival).bind(to_unix_ms(now));
  DONUT_ASSIGN_OR_RETURN(int64_t inserted, insert.run());
  if (inserted == 0) {  // another transaction applied it after the snapshot: decide again
    return make_error(ErrorCode::conflict,
                      "arrival " + arrival.request_id + " was applied concurrently");
  }
  return ok();
}

// The held arrival `plan_arrival` decided to keep for the operator. Every writer of a held row
// locks its product first, so two deliveries of one request id never both insert.
template <class Connection>
Status insert_held(Connection& c, const domain::Arrival& arrival, domain::HeldReason reason,
                   TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("INSERT INTO held_arrivals (" DONUT_SQL_HELD_COLUMNS
                                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"));
  bind_arrival(s, arrival).bind(domain::to_string(reason)).bind(to_unix_ms(now));
  return detail::run_named(s, "hold arrival");
}

// A row of DONUT_SQL_HELD_COLUMNS. A reason or decision this binary does not know (written by a
// newer one) reads as unknown_restock, or as still waiting.
template <class Row>
domain::HeldArrival read_held(const Row& s) {
  domain::HeldArrival h;
  h.arrival = {s.column_text(0), s.column_text(1), s.column_text(2),
               s.column_int(3),  s.column_text(4), from_unix_ms(s.column_int(5))};
  h.reason =
      domain::parse_held_reason(s.column_view(6)).value_or(domain::HeldReason::unknown_restock);
  h.held_at = from_unix_ms(s.column_int(7));
  if (!s.column_is_null(8)) h.decision = domain::parse_held_decision(s.column_view(8));
  if (!s.column_is_null(9)) h.decided_at = from_unix_ms(s.column_int(9));
  return h;
}

template <class Connection>
Result<std::optional<domain::HeldArrival>> find_held(Connection& c, std::string_view sql,
                                                     std::string_view request_id) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
  s.bind(request_id);
  DONUT_ASSIGN_OR_RETURN(bool row, s.next());
  if (!row) return std::optional<domain::HeldArrival>();
  return std::optional<domain::HeldArrival>(read_held(s));
}

// Writes what domain::plan_held_decision decided, in the transaction that loaded the held row.
template <class Dialect, class Connection>
Status apply_held_decision(Connection& c, const domain::HeldDecisionPlan& plan, TimePoint now) {
  const domain::Arrival& arrival = plan.after.arrival;
  domain::TotalChanges totals;
  domain::count_held_decision(plan, totals);
  if (plan.add_stock) {
    DONUT_RETURN_IF_ERROR(insert_arrival<Dialect>(c, arrival, now));
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE products SET stock = ? WHERE id = ?"));
    s.bind(plan.stock_after).bind(arrival.product_id);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "add stock"));
  }
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE held_arrivals SET decision = ?, "
                                           "decided_at_ms = ? WHERE request_id = ?"));
  s.bind(domain::to_string(*plan.after.decision)).bind(to_unix_ms(now)).bind(arrival.request_id);
  DONUT_RETURN_IF_ERROR(detail::run_named(s, "decide held arrival"));
  if (plan.timeline) {
    DONUT_RETURN_IF_ERROR(insert_restock_event(c, totals, arrival.restock_id, plan.timeline->kind,
                                               plan.timeline->detail, now));
  }
  if (plan.event) DONUT_RETURN_IF_ERROR(insert_outbox<Dialect>(c, totals, *plan.event, now));
  return add_totals<Dialect>(c, std::move(totals));
}

// The product's update for an arrival: the stock, the open restock cleared when it is the one
// that arrived, the lead time when the plan learned one.
inline std::string_view add_stock_sql(const domain::ArrivalPlan& plan) {
  DONUT_ASSERT(!plan.lead_time || plan.add_stock);
  static constexpr std::string_view kLeadTime =
      ", lead_time_ms = ?, lead_time_deviation_ms = ?, lead_time_arrivals = ?";
  static const std::string statements[4] = {
      "UPDATE products SET stock = ? WHERE id = ?",
      "UPDATE products SET stock = ?, open_restock_id = NULL WHERE id = ?",
      "UPDATE products SET stock = ?" + std::string(kLeadTime) + " WHERE id = ?",
      "UPDATE products SET stock = ?, open_restock_id = NULL" + std::string(kLeadTime) +
          " WHERE id = ?"};
  return statements[(plan.clear_open_restock ? 1 : 0) + (plan.lead_time ? 2 : 0)];
}

// Writes what domain::plan_arrival decided, in the transaction that loaded its snapshot.
template <class Dialect, class Connection>
Status apply_arrival_plan(Connection& c, const domain::Arrival& arrival,
                          const domain::ArrivalSnapshot& snapshot, const domain::ArrivalPlan& plan,
                          TimePoint now) {
  domain::TotalChanges totals;
  domain::count_arrival(arrival, snapshot, plan, now, totals);
  if (plan.record_arrival) DONUT_RETURN_IF_ERROR(insert_arrival<Dialect>(c, arrival, now));
  if (plan.hold) DONUT_RETURN_IF_ERROR(insert_held(c, arrival, *plan.hold, now));
  if (plan.add_stock) {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(add_stock_sql(plan)));
    s.bind(plan.outcome.stock_after);
    if (plan.lead_time) {
      s.bind(plan.lead_time->estimate.count())
          .bind(plan.lead_time->deviation.count())
          .bind(plan.lead_time->arrivals);
    }
    s.bind(arrival.product_id);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "add stock"));
  }
  if (plan.close_restock) {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE restocks SET state = ?, arrived_at_ms = ? "
                                             "WHERE id = ?"));
    s.bind(domain::to_string(domain::RestockState::arrived))
        .bind(to_unix_ms(now))
        .bind(arrival.restock_id);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "close restock"));
  }
  for (const auto& entry : plan.timeline) {
    DONUT_RETURN_IF_ERROR(
        insert_restock_event(c, totals, arrival.restock_id, entry.kind, entry.detail, now));
  }
  if (plan.event) DONUT_RETURN_IF_ERROR(insert_outbox<Dialect>(c, totals, *plan.event, now));
  return add_totals<Dialect>(c, std::move(totals));
}

}  // namespace detail

template <class Database, class Dialect>
Result<ports::RestockClaim> WarehouseStore<Database, Dialect>::claim_restock(
    std::string_view restock_id, std::string_view owner, TimePoint lease_until) {
  const TimePoint now = clock_.now();
  return db_->template transaction<ports::RestockClaim>(
      [&](auto& c) -> Result<ports::RestockClaim> {
        DONUT_ASSIGN_OR_RETURN(auto found, detail::find_restock<Dialect>(c, restock_id, true));
        ports::RestockClaim claim;
        if (!found) return claim;
        claim.restock = std::move(found->restock);
        claim.decision = domain::decide_claim(claim.restock, owner, now);
        if (claim.decision.verdict == domain::ClaimVerdict::granted) {
          DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE restocks SET claimed_by = ?, "
                                                   "claim_expires_at_ms = ? WHERE id = ?"));
          s.bind(owner).bind(to_unix_ms(lease_until)).bind(restock_id);
          DONUT_RETURN_IF_ERROR(detail::run_named(s, "claim restock"));
          claim.restock.claimed_by = std::string(owner);
          claim.restock.claim_expires_at = lease_until;
        }
        return claim;
      });
}

template <class Database, class Dialect>
Result<bool> WarehouseStore<Database, Dialect>::mark_restock_requested(
    std::string_view restock_id) {
  const TimePoint now = clock_.now();
  return db_->template transaction<bool>([&](auto& c) -> Result<bool> {
    DONUT_ASSIGN_OR_RETURN(auto found, detail::find_restock<Dialect>(c, restock_id, true));
    const auto plan = domain::plan_mark_requested(found, now, ids_);
    if (!plan.record) return false;
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE restocks SET state = ?, requested_at_ms = ? "
                                             "WHERE id = ?"));
    s.bind(domain::to_string(plan.state_after))
        .bind(to_unix_ms(plan.requested_at))
        .bind(restock_id);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "mark restock requested"));
    domain::TotalChanges totals;
    domain::count_state_change(found->restock.product_id, found->restock.state, plan.state_after,
                               totals);
    DONUT_RETURN_IF_ERROR(detail::insert_outbox<Dialect>(c, totals, plan.event, now));
    DONUT_RETURN_IF_ERROR(detail::add_totals<Dialect>(c, std::move(totals)));
    return true;
  });
}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::release_restock(std::string_view restock_id,
                                                          std::string_view owner) {
  return db_->with_connection([&](auto& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE restocks SET claimed_by = NULL, "
                                             "claim_expires_at_ms = 0 "
                                             "WHERE id = ? AND claimed_by = ?"));
    s.bind(restock_id).bind(owner);
    DONUT_RETURN_IF_ERROR(detail::run_named(s, "release restock"));
    return ok();
  });
}

template <class Database, class Dialect>
Result<domain::Restock> WarehouseStore<Database, Dialect>::get_restock(
    std::string_view restock_id) {
  return db_->with_connection([&](auto& c) -> Result<domain::Restock> {
    DONUT_ASSIGN_OR_RETURN(auto found, detail::find_restock<Dialect>(c, restock_id));
    if (!found) {
      return make_error(ErrorCode::not_found, "no restock '" + std::string(restock_id) + "'");
    }
    return std::move(found->restock);
  });
}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::record_restock_event(std::string_view restock_id,
                                                               domain::TimelineKind kind,
                                                               std::string_view detail) {
  const TimePoint now = clock_.now();
  return db_->template transaction<void>([&](auto& c) -> Status {
    domain::TotalChanges totals;
    DONUT_RETURN_IF_ERROR(detail::insert_restock_event(c, totals, restock_id, kind, detail, now));
    return detail::add_totals<Dialect>(c, std::move(totals));
  });
}

template <class Database, class Dialect>
Result<std::vector<ports::RestockHistory>> WarehouseStore<Database, Dialect>::restock_history(
    std::string_view product_id, std::size_t max) {
  return db_->with_connection([&](auto& c) -> Result<std::vector<ports::RestockHistory>> {
    std::vector<ports::RestockHistory> history;
    {
      DONUT_ASSIGN_OR_RETURN(
          auto s, c.prepare("SELECT id, product_id, quantity, state, opened_at_ms, claimed_by, "
                            "claim_expires_at_ms, requested_at_ms, arrived_at_ms FROM restocks "
                            "WHERE ? = '' OR product_id = ? ORDER BY opened_at_ms DESC, id "
                            "LIMIT ?"));
      s.bind(product_id).bind(product_id).bind(static_cast<int64_t>(max));
      for (;;) {
        DONUT_ASSIGN_OR_RETURN(bool row, s.next());
        if (!row) break;
        auto record = detail::read_restock_record(s);
        history.push_back({std::move(record.restock), record.requested_at, record.arrived_at, {}});
      }
    }
    // A queued event's published time comes from its outbox row.
    DONUT_ASSIGN_OR_RETURN(auto s,
                           c.prepare("SELECT e.at_ms, e.kind, e.detail, o.published_at_ms FROM "
                                     "restock_events e LEFT JOIN outbox o ON o.id = e.outbox_id "
                                     "WHERE e.restock_id = ? ORDER BY e.id"));
    for (auto& h : history) {
      s.bind(h.restock.id);
      for (;;) {
        DONUT_ASSIGN_OR_RETURN(bool row, s.next());
        if (!row) break;
        const auto kind = domain::parse_timeline_kind(s.column_view(1));
        if (!kind) continue;  // written by a newer binary
        h.events.push_back({from_unix_ms(s.column_int(0)), *kind, s.column_text(2)});
        if (!s.column_is_null(3)) {
          h.events.push_back(
              {from_unix_ms(s.column_int(3)), domain::TimelineKind::published, s.column_text(2)});
        }
      }
      s.reset();
      std::stable_sort(h.events.begin(), h.events.end(),
                       [](const auto& a, const auto& b) { return a.at < b.at; });
    }
    return history;
  });
}

// The rule is domain::plan_arrival; this loads its snapshot and writes its plan, in one
// transaction.
template <class Database, class Dialect>
Result<domain::ArrivalOutcome> WarehouseStore<Database, Dialect>::apply_arrival(
    const domain::Arrival& arrival) {
  const TimePoint now = clock_.now();
  return db_->template transaction<domain::ArrivalOutcome>(
      [&](auto& c) -> Result<domain::ArrivalOutcome> {
        DONUT_ASSIGN_OR_RETURN(auto snapshot,
                               detail::load_arrival_snapshot<Dialect>(c, arrival, now));
        const auto plan = domain::plan_arrival(arrival, snapshot, now, ids_);
        DONUT_RETURN_IF_ERROR(detail::apply_arrival_plan<Dialect>(c, arrival, snapshot, plan, now));
        return plan.outcome;
      });
}

template <class Database, class Dialect>
Result<std::vector<domain::HeldArrival>> WarehouseStore<Database, Dialect>::held_arrivals(
    std::size_t max) {
  return db_->with_connection([&](auto& c) -> Result<std::vector<domain::HeldArrival>> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT " DONUT_SQL_HELD_COLUMNS " FROM held_arrivals "
                                             "ORDER BY held_at_ms DESC, request_id DESC LIMIT ?"));
    s.bind(static_cast<int64_t>(max));
    std::vector<domain::HeldArrival> held;
    for (;;) {
      DONUT_ASSIGN_OR_RETURN(bool row, s.next());
      if (!row) break;
      held.push_back(detail::read_held(s));
    }
    return held;
  });
}

// The rule is domain::plan_held_decision; this locks the product, then the held row (the order
// every writer of a held row follows), and writes its plan, in one transaction. A decision the
// rule refuses is answered after the transaction: a conflict inside it would be retried.
template <class Database, class Dialect>
Result<domain::HeldArrival> WarehouseStore<Database, Dialect>::decide_held_arrival(
    std::string_view request_id, domain::HeldDecision decision) {
  const TimePoint now = clock_.now();
  std::optional<Error> refused;
  auto decided =
      db_->template transaction<domain::HeldArrival>([&](auto& c) -> Result<domain::HeldArrival> {
        refused.reset();
        const auto not_found = [&](std::string_view what) {
          return make_error(ErrorCode::not_found, "no " + std::string(what));
        };
        DONUT_ASSIGN_OR_RETURN(auto seen, detail::find_held(c,
                                                            "SELECT " DONUT_SQL_HELD_COLUMNS
                                                            " FROM held_arrivals WHERE "
                                                            "request_id = ?",
                                                            request_id));
        if (!seen) return not_found("held arrival '" + std::string(request_id) + "'");
        DONUT_ASSIGN_OR_RETURN(
            auto product, detail::find_product<Dialect>(c, seen->arrival.product_id, now, true));
        if (!product) return not_found("product '" + seen->arrival.product_id + "'");
        DONUT_ASSIGN_OR_RETURN(auto held,
                               detail::find_held(c, Dialect::kSelectHeldLocked, request_id));
        if (!held) return not_found("held arrival '" + std::string(request_id) + "'");
        auto plan = domain::plan_held_decision(*held, decision, product->stock, now, ids_);
        if (!plan) {
          refused = plan.error();
          return *held;
        }
        if (plan->record) {
          DONUT_RETURN_IF_ERROR(detail::apply_held_decision<Dialect>(c, *plan, now));
        }
        return plan->after;
      });
  if (refused) return *refused;
  return decided;
}

template <class Database, class Dialect>
Result<std::vector<ports::OutboxEntry>> WarehouseStore<Database, Dialect>::pending_outbox(
    std::size_t max_entries) {
  return db_->with_connection([&](auto& c) -> Result<std::vector<ports::OutboxEntry>> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT id, topic, type, body, created_at_ms "
                                             "FROM outbox WHERE published_at_ms IS NULL "
                                             "ORDER BY id LIMIT ?"));
    s.bind(static_cast<int64_t>(max_entries));
    std::vector<ports::OutboxEntry> entries;
    for (;;) {
      DONUT_ASSIGN_OR_RETURN(bool row, s.next());
      if (!row) break;
      entries.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3),
                         from_unix_ms(s.column_int(4))});
    }
    return entries;
  });
}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::mark_published(std::span<const int64_t> outbox_ids) {
  if (outbox_ids.empty()) return ok();
  const TimePoint now = clock_.now();
  return db_->template transaction<void>([&](auto& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE outbox SET published_at_ms = ? "
                                             "WHERE id = ? AND published_at_ms IS NULL"));
    DONUT_ASSIGN_OR_RETURN(auto unclaim,
                           c.prepare("DELETE FROM outbox_claims WHERE outbox_id = ?"));
    for (int64_t id : outbox_ids) {
      s.bind(to_unix_ms(now)).bind(id);
      DONUT_RETURN_IF_ERROR(detail::run_named(s, "mark published"));
      s.reset();
      unclaim.bind(id);
      DONUT_RETURN_IF_ERROR(detail::run_named(unclaim, "mark published"));
      unclaim.reset();
    }
    return ok();
  });
}

template <class Database, class Dialect>
Result<int64_t> WarehouseStore<Database, Dialect>::prune(ports::Retained what, TimePoint older_than,
                                                         std::size_t max_rows) {
  std::string_view sql = Dialect::kPruneIdempotencyKeys;
  switch (what) {
    case ports::Retained::idempotency_keys:
      break;
    case ports::Retained::published_outbox:
      sql = Dialect::kPrunePublishedOutbox;
      break;
    case ports::Retained::timeline_entries:
      sql = Dialect::kPruneTimelineEntries;
      break;
    case ports::Retained::arrivals:
      sql = Dialect::kPruneArrivals;
      break;
  }
  return db_->template transaction<int64_t>([&](auto& c) -> Result<int64_t> {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare(sql));
    s.bind(to_unix_ms(older_than)).bind(static_cast<int64_t>(max_rows));
    DONUT_ASSIGN_OR_RETURN(int64_t deleted, s.run());
    return deleted;
  });
}

template <class Database, class Dialect>
Result<ports::WarehouseStats> WarehouseStore<Database, Dialect>::stats() {
  const TimePoint now = clock_.now();
  return db_->with_connection([&](auto& c) -> Result<ports::WarehouseStats> {
    ports::WarehouseStats stats;
    std::map<std::string, ports::ProductStats, std::less<>> by_id;
    // Figures of products that exist; rows of deleted products are skipped.
    auto product_of = [&by_id](const auto& row) -> ports::ProductStats* {
      auto it = by_id.find(row.column_view(0));
      return it == by_id.end() ? nullptr : &it->second;
    };
    DONUT_RETURN_IF_ERROR(detail::each_row(
        c, "SELECT " DONUT_SQL_PRODUCT_COLUMNS " FROM products ORDER BY id", [&](const auto& row) {
          const domain::Product product = detail::read_product(row, now);
          auto& p = by_id[product.id];
          p.product_id = product.id;
          p.stock = product.stock;
          p.replenishment_settings = product.replenishment.settings;
          p.replenishment = product.figures;
        }));
    DONUT_RETURN_IF_ERROR(
        detail::each_row(c, "SELECT product_id, orders, units, refused_orders FROM product_sales",
                         [&](const auto& row) {
                           if (auto* p = product_of(row)) {
                             p->orders = row.column_int(1);
                             p->units_sold = row.column_int(2);
                             p->orders_refused = row.column_int(3);
                           }
                         }));
    DONUT_RETURN_IF_ERROR(detail::each_row(
        c, "SELECT count(*), min(created_at_ms) FROM outbox WHERE published_at_ms IS NULL",
        [&](const auto& row) {
          stats.outbox_pending = row.column_int(0);
          if (!row.column_is_null(1)) stats.outbox_oldest_pending = from_unix_ms(row.column_int(1));
        }));
    for (auto& [id, p] : by_id) stats.products.push_back(std::move(p));
    DONUT_RETURN_IF_ERROR(detail::each_row(
        c, "SELECT figure, subject, total FROM warehouse_totals", [&](const auto& row) {
          ports::add_total(stats, row.column_view(0), row.column_view(1), row.column_int(2));
        }));
    return stats;
  });
}

template <class Database, class Dialect>
Status WarehouseStore<Database, Dialect>::ping() {
  return db_->with_connection([&](auto& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT 1"));
    DONUT_RETURN_IF_ERROR(s.next());
    return ok();
  });
}

}  // namespace donut::sql
