#include "app/arrivals.h"

#include <spdlog/spdlog.h>

#include "app/topology.h"
#include "app/trace_attributes.h"
#include "codec/events_json.h"
#include "codec/factory_json.h"
#include "codec/factory_signature.h"
#include "common/logging.h"
#include "domain/validation.h"

namespace donut::app {

Result<domain::Arrival> ArrivalIntake::accept(std::string_view timestamp,
                                              std::string_view signature, std::string_view body) {
  const TimePoint now = clock_.now();
  DONUT_RETURN_IF_ERROR(
      codec::verify_callback(options_.secret, timestamp, signature, body, now, options_.max_skew));
  DONUT_ASSIGN_OR_RETURN(auto callback, codec::decode_factory_callback(body));
  DONUT_RETURN_IF_ERROR(domain::validate_product_id(callback.product_id));
  if (callback.request_id.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      "the callback names no request: MessageAttributeRequestId is missing");
  }
  DONUT_RETURN_IF_ERROR(domain::validate_request_id(callback.request_id));
  if (callback.factory_id.size() > 255) {
    return make_error(ErrorCode::invalid_argument, "MessageAttributeFactoryId (255) is too long");
  }
  domain::Arrival arrival;
  // The restock worker asks with the restock's id as the request id, so the signed id names
  // both the request this arrival answers and the restock it is for.
  arrival.request_id = std::move(callback.request_id);
  arrival.restock_id = arrival.request_id;
  arrival.product_id = std::move(callback.product_id);
  arrival.quantity = callback.quantity;
  arrival.factory_id = std::move(callback.factory_id);
  arrival.received_at = now;
  ports::OutgoingMessage message;
  message.body = codec::encode_arrival(arrival);
  message.attributes.emplace(ports::kTypeAttribute, "stock.arrival");
  add_trace_attributes(message.attributes, arrival.restock_id, arrival.product_id);
  LogScope scope{{"restock_id", arrival.restock_id}, {"product_id", arrival.product_id}};
  DONUT_RETURN_IF_ERROR(broker_.send(kStockArrivalsQueue, message));
  return arrival;
}

std::vector<MessageResult> ArrivalHandler::handle(std::span<const ports::ReceivedMessage> messages,
                                                  std::stop_token) {
  return handle_each(messages, [this](const auto& message) { return handle_one(message); });
}

MessageResult ArrivalHandler::handle_one(const ports::ReceivedMessage& message) {
  auto arrival = codec::decode_arrival(message.body);
  if (!arrival) {
    spdlog::error("arrivals: undecodable message {}: {}", message.message_id,
                  arrival.error().message);
    return MessageResult::retry(std::chrono::seconds(1));
  }
  const std::string trace_id = trace_id_of(message, arrival->restock_id);
  LogScope scope{{"restock_id", arrival->restock_id},
                 {"product_id", arrival->product_id},
                 {"trace_id", trace_id}};
  auto outcome = store_.apply_arrival(*arrival);
  if (!outcome) {
    spdlog::warn("arrivals: store unavailable: {}", outcome.error().message);
    return MessageResult::retry(
        backoff_delay(message.receive_count, std::chrono::seconds(1), std::chrono::seconds(30)));
  }
  switch (outcome->status) {
    case domain::ArrivalStatus::applied:
      spdlog::info("arrivals: +{} {} (request {}), stock now {}", arrival->quantity,
                   arrival->product_id, arrival->request_id, outcome->stock_after);
      if (on_applied_) on_applied_();
      return MessageResult::ok();
    case domain::ArrivalStatus::duplicate:
      spdlog::info("arrivals: request {} was applied or held before; ignoring the repeat",
                   arrival->request_id);
      return MessageResult::ok();
    case domain::ArrivalStatus::held:
      spdlog::warn(
          "arrivals: {} {} (request {}) answers no restock the shop waits for; held for "
          "the operator, stock unchanged",
          arrival->quantity, arrival->product_id, arrival->request_id);
      return MessageResult::ok();
    case domain::ArrivalStatus::unknown_product:
      spdlog::error("arrivals: unknown product '{}'; leaving the message for the dead-letter queue",
                    arrival->product_id);
      return MessageResult::retry(std::chrono::seconds(1));
  }
  return MessageResult::ok();
}

}  // namespace donut::app
