// The restock worker: turns `stock.empty` messages from the factory-requests queue into
// manufacture requests to the Legacy Factory API, once per restock.
//
// For each message: claim the restock (a lease in the store), call the factory, mark the
// restock requested, acknowledge. A redelivered copy of a message whose restock is already
// requested is acknowledged without calling the factory; a copy that arrives while another
// worker still holds the lease (the visibility timeout ran out under a slow factory) is put
// back until the lease ends. Factory failures are retried a few times in place with jittered
// backoff, then the message is put back with a growing delay; after maxReceiveCount the broker
// moves it to the dead-letter queue.
//
// Every delivery and every factory answer is also written to the restock's timeline in the
// store (best effort: a failure to record never changes what is done with the message), so
// an operator sees the restock's life across processes (`donut restocks`, the console).
//
// Thread-safe: several consumer threads or processes may run it against the same store.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <stop_token>
#include <string>

#include "app/queue_consumer.h"
#include "domain/timeline.h"
#include "ports/clock.h"
#include "ports/factory_client.h"
#include "ports/store.h"

namespace donut::app {

class RestockHandler {
 public:
  struct Options {
    std::string worker_id;  // unique per process; with the receipt it names the lease owner
    std::string callback_url = "http://127.0.0.1:8080/v1/stock-arrivals";
    std::string factory_id = "FF-500293";
    std::string requester = "donut-states";
    Millis lease = std::chrono::minutes(2);  // longer than attempts x factory timeout
    int attempts_per_delivery = 2;
    Millis in_place_retry = std::chrono::milliseconds(200);
    Millis redelivery_base = std::chrono::seconds(1);
    Millis redelivery_cap = std::chrono::seconds(60);
    // Told after every factory call: how the factory answered and how long it took. Called on
    // the handling thread.
    std::function<void(domain::FactoryAnswer answer, Millis latency)> on_factory_call;
  };

  RestockHandler(ports::Store& store, ports::FactoryClient& factory, const ports::Clock& clock,
                 Options options, std::function<void()> on_requested = {});

  std::vector<MessageResult> handle(std::span<const ports::ReceivedMessage> messages,
                                    std::stop_token stop);
  MessageResult handle_one(const ports::ReceivedMessage& message, std::stop_token stop);

  struct Counters {
    uint64_t factory_calls = 0;
    uint64_t busy = 0;        // deliveries put back because another worker held the restock
    uint64_t duplicates = 0;  // deliveries of restocks already requested, arrived or superseded
  };
  Counters counters() const { return {factory_calls_.load(), busy_.load(), duplicates_.load()}; }

  // How the factory answered a call that failed with `error`.
  static domain::FactoryAnswer failure_answer(const Error& error);

 private:
  void note(const std::string& restock_id, domain::TimelineKind kind, const std::string& detail);
  // The answer to a delivery whose claim was not granted (nothing when it was).
  std::optional<MessageResult> answer_refused_claim(const ports::RestockClaim& claim,
                                                    const std::string& restock_id,
                                                    const ports::ReceivedMessage& message,
                                                    TimePoint now);
  // Calls the factory (in-place retries for transient failures) and marks the restock
  // requested once it accepted; gives the lease back when it did not.
  MessageResult call_factory(const ports::ManufactureRequest& request,
                             const ports::ReceivedMessage& message, const std::string& owner,
                             std::stop_token stop);

  ports::Store& store_;
  ports::FactoryClient& factory_;
  const ports::Clock& clock_;
  Options options_;
  std::function<void()> on_requested_;
  std::atomic<uint64_t> factory_calls_{0};
  std::atomic<uint64_t> busy_{0};
  std::atomic<uint64_t> duplicates_{0};
};

}  // namespace donut::app
