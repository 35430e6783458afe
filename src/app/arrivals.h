// Stock arrivals: the intake behind the factory's callback, and the worker that applies them.
//
// ArrivalIntake authenticates the callback (codec/factory_signature.h), decodes it, and enqueues an
// Arrival on the stock-arrivals queue; nothing touches the stock on the request path, so a
// burst of callbacks never contends with sales. What the arrival is — its request id, the
// restock it is for, product and quantity — comes only from the signed body: the request id is
// the MessageAttributeRequestId the factory echoes (the restock's id, as the restock worker
// sent it), and a callback without one is refused, since it could not be applied once. Nothing
// of the URL is read, so a captured callback replayed with other query parameters is the same
// arrival, applied once.
//
// ArrivalHandler applies each queued arrival through `Store::apply_arrival`, which is
// exactly-once per request id; a redelivered or repeated arrival changes nothing.
#pragma once

#include <functional>
#include <span>
#include <stop_token>
#include <string>

#include "app/queue_consumer.h"
#include "domain/arrival.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "ports/store.h"

namespace donut::app {

class ArrivalIntake {
 public:
  struct Options {
    std::string secret;
    std::chrono::seconds max_skew = std::chrono::minutes(5);
  };
  ArrivalIntake(ports::Broker& broker, const ports::Clock& clock, Options options)
      : broker_(broker), clock_(clock), options_(std::move(options)) {}

  // `unauthorized` for a bad signature, `invalid_argument` for a bad body, `unavailable` when
  // the queue cannot take it (the factory retries).
  Result<domain::Arrival> accept(std::string_view timestamp, std::string_view signature,
                                 std::string_view body);

 private:
  ports::Broker& broker_;
  const ports::Clock& clock_;
  Options options_;
};

class ArrivalHandler {
 public:
  ArrivalHandler(ports::Store& store, std::function<void()> on_applied = {})
      : store_(store), on_applied_(std::move(on_applied)) {}

  std::vector<MessageResult> handle(std::span<const ports::ReceivedMessage> messages,
                                    std::stop_token stop);
  MessageResult handle_one(const ports::ReceivedMessage& message);

 private:
  ports::Store& store_;
  std::function<void()> on_applied_;
};

}  // namespace donut::app
