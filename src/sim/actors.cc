// The actors around the shop: customers who order and retry with their idempotency key, the
// Legacy Factory (slow, failing, accepting unseen, calling back twice, late or with a wrong
// signature) and the mail server, and the hooks through which the faulty ports report what the
// engines did.
#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "sim/world.h"

namespace donut::sim {

Status SimMailer::send(const ports::Email& email) {
  DONUT_RETURN_IF_ERROR(ports::check_addressed(email));
  if (dice_.roll(Fault::mail_fails)) {
    return make_error(ErrorCode::unavailable, "simulated: the mail server refused");
  }
  ++sent_;
  return ok();
}

// --- hooks ------------------------------------------------------------------------------------

CrashPoint World::crash_point(std::string_view) {
  ++report_.operations;
  if (!current_role_ || !dice_.roll(Fault::crash)) return CrashPoint::none;
  return dice_.chance(0.5) ? CrashPoint::before : CrashPoint::after;
}

void World::on_claim(std::string_view restock_id, const ports::RestockClaim& claim,
                     TimePoint lease_until) {
  if (claim.decision.verdict == domain::ClaimVerdict::granted) {
    leases_[std::string(restock_id)] = lease_until;
  }
}

void World::on_arrival(const domain::Arrival& arrival, const domain::ArrivalOutcome& outcome) {
  if (outcome.status == domain::ArrivalStatus::held) return on_held(arrival);
  if (outcome.status != domain::ArrivalStatus::applied) return;
  ++report_.arrivals_applied;
  trace("arrival applied",
        arrival.request_id + " +" + std::to_string(arrival.quantity) + " " + arrival.product_id);
  if (!applied_requests_.insert(arrival.request_id).second) {
    violate("an arrival is applied at most once", "request " + arrival.request_id +
                                                      " was applied again (stock now " +
                                                      std::to_string(outcome.stock_after) + ")");
  }
}

// The simulated factory answers only the shop's own requests, once per request id: the one
// arrival the warehouse may hold is a late batch for a restock superseded meanwhile.
void World::on_held(const domain::Arrival& arrival) {
  ++report_.arrivals_held;
  trace("arrival held",
        arrival.request_id + " " + std::to_string(arrival.quantity) + " " + arrival.product_id);
  auto restock = engine_store_->get_restock(arrival.restock_id);
  if (!restock || restock->state != domain::RestockState::superseded) {
    violate("only an arrival for a superseded restock is held",
            "request " + arrival.request_id + " answers restock " + arrival.restock_id + ", " +
                (restock ? std::string(domain::to_string(restock->state)) : "unknown"));
  }
}

void World::on_enqueued(std::string_view queue, const ports::OutgoingMessage& message) {
  auto ledger = ledgers_.find(queue);
  if (ledger != ledgers_.end()) ledger->second.enqueued(message.body);
}

// --- the factory ------------------------------------------------------------------------------

Result<ports::FactoryAck> World::request_manufacture(const ports::ManufactureRequest& request) {
  ++report_.operations;
  ++report_.factory_asks;
  FactoryAsks& a = asks_[request.request_id];
  if (a.asks > 0 && a.accepted_known) {
    if (clock_.now() < a.known_lease_until) {
      violate("the factory is asked once per restock unless its lease expired",
              "restock " + request.request_id + " asked again " +
                  std::to_string((a.known_lease_until - clock_.now()).count()) +
                  " ms before the lease under which it was accepted ends");
    }
    ++report_.reasks_after_lease_expiry;
  } else if (a.asks > 0 && a.unknown_answer) {
    ++report_.reasks_after_unknown_answer;
  }
  ++a.asks;
  if (dice_.roll(Fault::factory_slow))
    clock_.sleep_for(dice_.between(Millis(2000), Millis(8000)), {});
  if (dice_.roll(Fault::factory_fails)) {
    trace("factory fails", request.request_id);
    return make_error(ErrorCode::unavailable, "simulated: the factory answered 503");
  }
  schedule_callback(request, dice_.between(Millis(1000), Millis(30000)));
  if (dice_.roll(Fault::factory_calls_back_twice)) {
    schedule_callback(request, dice_.between(Millis(1000), Millis(40000)));
  }
  if (dice_.roll(Fault::factory_times_out_after_accepting)) {
    a.unknown_answer = true;
    clock_.sleep_for(Millis(10000), {});
    trace("factory accepts, worker times out", request.request_id);
    return make_error(ErrorCode::timeout, "simulated: no answer from the factory in 10 s");
  }
  a.accepted_known = true;
  const auto lease = leases_.find(request.request_id);
  a.known_lease_until = lease != leases_.end() ? lease->second : clock_.now();
  trace("factory accepts", request.request_id + " " + request.product_id);
  return ports::FactoryAck{"accepted"};
}

void World::schedule_callback(const ports::ManufactureRequest& request, Millis after) {
  if (dice_.roll(Fault::factory_calls_back_late)) {
    after += dice_.between(Millis(300'000), Millis(3'600'000));
  }
  add_callback(Callback{request, 0}, after);
}

void World::add_callback(Callback callback, Millis after) {
  callbacks_.emplace(std::pair{to_unix_ms(clock_.now() + after), ++callback_sequence_},
                     std::move(callback));
}

void World::factory_calls_back() {
  if (callbacks_.empty() || callbacks_.begin()->first.first > to_unix_ms(clock_.now())) return;
  Callback callback = std::move(callbacks_.begin()->second);
  callbacks_.erase(callbacks_.begin());
  ++report_.operations;
  if (auto restock = engine_store_->get_restock(callback.request.request_id);
      restock && restock->state == domain::RestockState::superseded) {
    ++report_.callbacks_for_superseded;  // accepted unseen, then replaced by a newer restock
  }
  const std::string body = codec::encode_manufacture_request(callback.request);
  const int64_t seconds = to_unix_ms(clock_.now()) / 1000;
  const bool forged = dice_.roll(Fault::factory_wrong_signature);
  const std::string signature =
      codec::sign_callback(forged ? "not-the-secret" : kCallbackSecret, seconds, body);
  bool accepted = false;
  run_role(Role::intake, [&] {
    accepted = intake_->accept(std::to_string(seconds), signature, body).has_value();
  });
  trace(forged ? "forged callback" : "callback",
        callback.request.request_id + (accepted ? " accepted" : " refused"));
  if (forged && accepted) {
    violate("a callback with a wrong signature is refused", callback.request.request_id);
  }
  if (!accepted || forged) {  // the factory tries again later
    ++callback.attempts;
    add_callback(std::move(callback), dice_.between(Millis(1000), Millis(30000)));
  }
}

// --- customers --------------------------------------------------------------------------------

void World::customer_orders(bool new_orders) {
  std::size_t index = 0;
  if (!to_retry_.empty() && (!new_orders || dice_.chance(0.5))) {
    const auto pick = static_cast<std::size_t>(dice_.between(0, std::ssize(to_retry_) - 1));
    index = to_retry_[pick];
    to_retry_.erase(to_retry_.begin() + static_cast<std::ptrdiff_t>(pick));
  } else if (new_orders) {
    CustomerOrder order;
    order.key = "key-" + std::to_string(orders_.size() + 1);
    order.product_id = "donut-" + std::to_string(dice_.between(1, options_.products));
    order.quantity = dice_.between(1, 2);
    ++keys_per_product_[order.product_id];
    index = orders_.size();
    orders_.push_back(std::move(order));
  } else {
    return;
  }
  CustomerOrder& order = orders_[index];
  ++order.attempts;
  ++report_.operations;
  in_flight_.insert(index);
  trace("order", order.key + " " + std::to_string(order.quantity) + " x " + order.product_id);
  domain::OrderRequest request{
      "order-" + std::to_string(index + 1) + "-" + std::to_string(order.attempts), order.product_id,
      order.quantity, order.key};
  sales_->submit(std::move(request),
                 [this, generation = sales_generation_, index](Result<domain::OrderOutcome> r) {
                   on_answer(generation, index, r);
                 });
}

void World::on_answer(uint64_t generation, std::size_t index,
                      const Result<domain::OrderOutcome>& r) {
  if (generation != sales_generation_) return;  // the process died; restart() requeued it
  in_flight_.erase(index);
  CustomerOrder& order = orders_[index];
  if (!r) {
    to_retry_.push_back(index);
    return;
  }
  order.answered = true;
  if (r->status == domain::OrderStatus::out_of_stock) {
    ++report_.orders_refused;
    return;
  }
  if (r->status != domain::OrderStatus::sold) {
    violate("an order is sold or refused for want of stock",
            order.key + " answered " + std::string(domain::to_string(r->status)));
    return;
  }
  trace("sold", order.key + " as " + r->order_id + (r->replayed ? " (replayed)" : ""));
  auto stored = engine_store_->get_order(r->order_id);
  if (!stored || stored->product_id != order.product_id || stored->quantity != order.quantity) {
    violate("every order answered 201 is in the store", order.key + " as " + r->order_id);
  }
  if (order.sold_order_id.empty()) {
    order.sold_order_id = r->order_id;
    ++report_.orders_sold;
  } else if (order.sold_order_id != r->order_id) {
    violate("no idempotency key is sold twice",
            order.key + " sold as " + order.sold_order_id + " and " + r->order_id);
  }
}

}  // namespace donut::sim
