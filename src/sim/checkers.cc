#include "sim/checkers.h"

#include <fmt/format.h>

#include "app/topology.h"
#include "common/fnv1a.h"

namespace donut::sim {

void StoreChecker::check_product(const ports::ProductStats& p, int64_t keys) {
  const std::string& id = p.product_id;
  if (p.stock < 0) violate_("stock is never negative", id + ": " + std::to_string(p.stock));
  if (catalogue_.initial_stock + p.units_arrived - p.units_sold != p.stock) {
    violate_("initial + applied arrivals - sold = stock",
             fmt::format("{}: {} + {} - {} != {}", id, catalogue_.initial_stock, p.units_arrived,
                         p.units_sold, p.stock));
  }
  // `open`: not yet accepted by the factory. A requested restock older than the policy's
  // stale_after may still arrive while a new one is open (domain/sales.h), so it is not counted.
  if (p.restocks_open > 1) {
    violate_("at most one open restock per product",
             fmt::format("{}: {} open, {} requested", id, p.restocks_open, p.restocks_requested));
  }
  if (p.orders > keys) {
    violate_("no idempotency key is sold twice",
             fmt::format("{}: {} orders from {} keys", id, p.orders, keys));
  }
}

// The policy's figures, and the product's latest restock against the one before it.
void StoreChecker::check_replenishment(const ports::ProductStats& p) {
  const std::string& id = p.product_id;
  const auto& rule = p.replenishment.rule;
  if (rule.reorder_point < 0) {
    violate_("the reorder point is never negative", fmt::format("{}: {}", id, rule.reorder_point));
  }
  auto latest = store_.restock_history(id, 2);
  if (!latest) return violate_("the store answers the checker", latest.error().message);
  if (latest->empty()) return;
  const auto& newest = (*latest)[0].restock;
  const int64_t max = p.replenishment.max_restock_quantity;
  if (newest.quantity > max || newest.quantity < catalogue_.restock_quantity) {
    violate_(
        "a restock asks for no more than the operator's maximum (nor less than the restock "
        "quantity)",
        fmt::format("{}: restock {} asks for {} (from {} to {})", id, newest.id, newest.quantity,
                    catalogue_.restock_quantity, max));
  }
  if (latest->size() < 2) return;
  const auto& before = (*latest)[1];
  const bool arrived_first = before.arrived_at && *before.arrived_at <= newest.opened_at;
  const bool stale = newest.opened_at - before.restock.opened_at >= catalogue_.stale_after;
  if (!arrived_first && !stale) {
    violate_(
        "a restock opens only once the one before it arrived or went stale",
        fmt::format("{}: restock {} opened {} ms after {}, which had not arrived", id, newest.id,
                    (newest.opened_at - before.restock.opened_at).count(), before.restock.id));
  }
}

void StoreChecker::after_step(const std::map<std::string, int64_t>& keys_per_product) {
  auto stats = store_.stats();
  if (!stats) return violate_("the store answers the checker", stats.error().message);
  for (const auto& p : stats->products) {
    const auto keys = keys_per_product.find(p.product_id);
    check_product(p, keys == keys_per_product.end() ? 0 : keys->second);
    check_replenishment(p);
  }
}

// Every restock that has not arrived waits in a dead-letter queue, where the operator sees it.
void StoreChecker::at_first_quiet() {
  auto history = store_.restock_history("", 1'000'000);
  if (!history) return violate_("the store answers the checker", history.error().message);
  std::string dead_letters;
  for (const auto& queue : app::work_queues()) {
    auto waiting = broker_.peek(app::dead_letter_queue_of(queue), 100'000);
    for (const auto& m : waiting ? *waiting : std::vector<ports::ReceivedMessage>{}) {
      dead_letters += m.body;
    }
  }
  for (const auto& h : *history) {
    const auto state = h.restock.state;
    if (state != domain::RestockState::open && state != domain::RestockState::requested) continue;
    if (dead_letters.find(h.restock.id) == std::string::npos) {
      violate_("every stock-out ends in an arrival or a dead letter",
               "restock " + h.restock.id + " of " + h.restock.product_id + " is " +
                   std::string(domain::to_string(state)) + " and in no dead-letter queue");
    }
  }
}

int64_t StoreChecker::at_the_end(const std::vector<CustomerOrder>& orders) {
  auto stats = store_.stats();
  if (!stats) {
    violate_("the store answers the checker", stats.error().message);
    return 0;
  }
  std::map<std::string, int64_t> sold_keys;
  for (const auto& order : orders) {
    if (!order.answered) violate_("every order is answered", order.key);
    if (order.sold_order_id.empty()) continue;
    ++sold_keys[order.product_id];
    if (!store_.get_order(order.sold_order_id)) {
      violate_("every order answered 201 is in the store", order.key);
    }
  }
  int64_t restocks = 0;
  for (const auto& p : stats->products) {
    restocks += p.restocks_arrived + p.restocks_superseded;
    if (p.orders != sold_keys[p.product_id]) {
      violate_("every order answered 201 is in the store exactly once",
               fmt::format("{}: {} orders in the store, {} keys sold", p.product_id, p.orders,
                           sold_keys[p.product_id]));
    }
    if (p.restocks_open + p.restocks_requested > 0) {
      violate_("a redrive completes every stock-out", p.product_id);
    }
  }
  return restocks;
}

uint64_t QueueLedger::identity_of(std::string_view body) {
  return fnv1a(body);
}

void QueueLedger::completed(std::string_view body) {
  const auto id = identity_of(body);
  ++completed_[id];
  if (awaiting_recovery_.erase(id) > 0) ++recovered_;
}

void QueueLedger::dead_lettered(std::string_view body) {
  const auto id = identity_of(body);
  dead_lettered_.insert(id);
  awaiting_recovery_.insert(id);
}

QueueReport QueueLedger::report(const std::string& queue, const Violate& violate) const {
  QueueReport r;
  r.queue = queue;
  r.enqueued = std::ssize(enqueued_);
  r.completed = std::ssize(completed_);
  for (const auto& [id, n] : enqueued_) r.lost += completed_.contains(id) ? 0 : 1;
  for (const auto& [id, n] : completed_) {
    r.duplicated += n > 1 ? 1 : 0;
    r.unexpected += enqueued_.contains(id) ? 0 : 1;
  }
  r.dead_lettered = std::ssize(dead_lettered_);
  r.recovered = recovered_;
  if (r.lost > 0) violate("no message is lost", fmt::format("{}: {} lost", queue, r.lost));
  if (r.unexpected > 0) {
    violate("no message appears from nowhere",
            fmt::format("{}: {} unexpected", queue, r.unexpected));
  }
  return r;
}

}  // namespace donut::sim
