#include "app/restock_handler.h"

#include <spdlog/spdlog.h>

#include "app/trace_attributes.h"
#include "codec/events_json.h"
#include "common/assert.h"
#include "common/deadline.h"
#include "common/logging.h"
#include "common/overloaded.h"
#include "common/trace.h"

namespace donut::app {

RestockHandler::RestockHandler(ports::Store& store, ports::FactoryClient& factory,
                               const ports::Clock& clock, Options options,
                               std::function<void()> on_requested)
    : store_(store),
      factory_(factory),
      clock_(clock),
      options_(std::move(options)),
      on_requested_(std::move(on_requested)) {}

domain::FactoryAnswer RestockHandler::failure_answer(const Error& error) {
  switch (error.code) {
    case ErrorCode::timeout:
      return domain::FactoryAnswer::timeout;
    case ErrorCode::unavailable:
    case ErrorCode::rate_limited:
      return domain::FactoryAnswer::unavailable;
    case ErrorCode::invalid_argument:
    case ErrorCode::conflict:
    case ErrorCode::unauthorized:
    case ErrorCode::forbidden:
    case ErrorCode::not_found:
    case ErrorCode::too_large:
    case ErrorCode::unsupported_media:
      return domain::FactoryAnswer::rejected;
    case ErrorCode::internal:
      break;
  }
  return domain::FactoryAnswer::error;
}

void RestockHandler::note(const std::string& restock_id, domain::TimelineKind kind,
                          const std::string& detail) {
  if (auto recorded = store_.record_restock_event(restock_id, kind, detail); !recorded) {
    spdlog::debug("restock {}: timeline entry {} not recorded: {}", restock_id,
                  domain::to_string(kind), recorded.error().message);
  }
}

std::vector<MessageResult> RestockHandler::handle(std::span<const ports::ReceivedMessage> messages,
                                                  std::stop_token stop) {
  return handle_each(messages,
                     [this, &stop](const auto& message) { return handle_one(message, stop); });
}

MessageResult RestockHandler::handle_one(const ports::ReceivedMessage& message,
                                         std::stop_token stop) {
  auto event = codec::decode_event(message.body);
  if (!event) {
    // Poison: leave it to the broker, which dead-letters it after maxReceiveCount.
    spdlog::error("restock: undecodable message {}: {}", message.message_id, event.error().message);
    return MessageResult::retry(options_.redelivery_base);
  }
  const auto* empty = std::get_if<domain::StockEmpty>(&*event);
  if (empty == nullptr) return MessageResult::ok();  // not ours (filtered upstream on most brokers)

  const std::string trace_id = trace_id_of(message, empty->restock_id);
  LogScope scope{
      {"restock_id", empty->restock_id}, {"product_id", empty->product_id}, {"trace_id", trace_id}};
  const TimePoint now = clock_.now();
  // The lease belongs to this delivery, not to the process: another thread of this process
  // holding a redelivered copy must see the restock as busy.
  const std::string owner = options_.worker_id + "/" + message.receipt;
  auto claim = store_.claim_restock(empty->restock_id, owner, now + options_.lease);
  if (!claim) {
    spdlog::warn("restock {}: store unavailable: {}", empty->restock_id, claim.error().message);
    return MessageResult::retry(
        backoff_delay(message.receive_count, options_.redelivery_base, options_.redelivery_cap));
  }
  DONUT_ASSERT(claim->decision.verdict == domain::ClaimVerdict::unknown ||
                   claim->restock.id == empty->restock_id,
               "claim_restock answers with the restock it was asked for");
  if (auto refused = answer_refused_claim(*claim, empty->restock_id, message, now)) {
    return *refused;
  }
  DONUT_ASSERT(claim->restock.claimed_by == owner, "a granted claim is this delivery's lease");
  note(empty->restock_id, domain::TimelineKind::delivery,
       "delivery " + std::to_string(message.receive_count) + " to " + options_.worker_id);

  ports::ManufactureRequest request;
  request.product_id = empty->product_id;
  request.quantity =
      claim->restock.quantity > 0 ? claim->restock.quantity : empty->restock_quantity;
  request.factory_id = options_.factory_id;
  request.requester = options_.requester;
  request.request_id = empty->restock_id;
  request.callback_url = options_.callback_url;
  request.traceparent = trace::traceparent(trace_id);

  return call_factory(request, message, owner, stop);
}

std::optional<MessageResult> RestockHandler::answer_refused_claim(
    const ports::RestockClaim& claim, const std::string& restock_id,
    const ports::ReceivedMessage& message, TimePoint now) {
  switch (claim.decision.verdict) {
    case domain::ClaimVerdict::unknown:
      spdlog::warn("restock {}: unknown restock, dropping message", restock_id);
      return MessageResult::ok();
    case domain::ClaimVerdict::already_done:
    case domain::ClaimVerdict::superseded:
      duplicates_.fetch_add(1);
      note(restock_id, domain::TimelineKind::duplicate_delivery,
           "delivery " + std::to_string(message.receive_count) + ": already " +
               std::string(domain::to_string(claim.restock.state)));
      spdlog::info("restock {}: already {}, acknowledging duplicate delivery", restock_id,
                   domain::to_string(claim.restock.state));
      return MessageResult::ok();
    case domain::ClaimVerdict::busy: {
      busy_.fetch_add(1);
      const auto wait = std::max(Millis(100), claim.decision.busy_until - now);
      note(restock_id, domain::TimelineKind::busy_delivery,
           "delivery " + std::to_string(message.receive_count) + ": held by " +
               claim.restock.claimed_by);
      spdlog::info("restock {}: another worker ({}) holds it; retry in {} ms", restock_id,
                   claim.restock.claimed_by, wait.count());
      return MessageResult::retry(wait);
    }
    case domain::ClaimVerdict::granted:
      break;
  }
  return std::nullopt;
}

MessageResult RestockHandler::call_factory(const ports::ManufactureRequest& request,
                                           const ports::ReceivedMessage& message,
                                           const std::string& owner, std::stop_token stop) {
  const std::string& restock_id = request.request_id;
  Error last_error;
  for (int attempt = 1; attempt <= std::max(1, options_.attempts_per_delivery); ++attempt) {
    factory_calls_.fetch_add(1);
    const TimePoint called = clock_.now();
    auto ack = factory_.request_manufacture(request);
    const auto took = std::chrono::duration_cast<Millis>(clock_.now() - called);
    const auto answer = ack ? domain::FactoryAnswer::accepted : failure_answer(ack.error());
    note(restock_id, domain::timeline_kind(answer),
         "call " + std::to_string(attempt) + " of delivery " +
             std::to_string(message.receive_count) + ": " +
             (ack ? "accepted " + std::to_string(request.quantity) : ack.error().message) + " in " +
             std::to_string(took.count()) + " ms");
    if (options_.on_factory_call) options_.on_factory_call(answer, took);
    if (ack) {
      auto marked = store_.mark_restock_requested(restock_id);
      if (!marked) {
        // The factory has the request; a redelivery will find the claim expired, call again
        // (the factory deduplicates by request id) and mark it then.
        spdlog::warn("restock {}: factory accepted but marking failed: {}", restock_id,
                     marked.error().message);
        return MessageResult::retry(options_.redelivery_base);
      }
      spdlog::info("restock {}: factory accepted {} x {}", restock_id, request.quantity,
                   request.product_id);
      if (*marked && on_requested_) on_requested_();
      return MessageResult::ok();
    }
    last_error = ack.error();
    spdlog::warn("restock {}: factory call {} failed: {}", restock_id, attempt, last_error.message);
    if (!is_transient(last_error.code) || stop.stop_requested()) break;
    if (attempt < options_.attempts_per_delivery) {
      const Millis pause =
          backoff_delay(attempt, options_.in_place_retry, options_.in_place_retry * 4);
      // Under a deadline (a Lambda invocation) a second call waits for the next delivery when
      // the pause alone would use up what is left.
      if (bounded_by_deadline(pause) < pause) break;
      clock_.sleep_for(pause, stop);
    }
  }
  (void)store_.release_restock(restock_id, owner);
  return MessageResult::retry(
      backoff_delay(message.receive_count, options_.redelivery_base, options_.redelivery_cap));
}

}  // namespace donut::app
