// Publishes committed outbox events to the broker (the transactional outbox's second half).
//
// Loop: claim the oldest pending entries (a lease in the store, so relays and sales processes
// publishing at once each take different entries), publish each to its topic with its type as
// the `type` attribute, mark them published. A failed publish gives back the claims on what is
// left, so another publisher may take it at once; a crash between publish and mark publishes
// again once the lease ran out (seconds): duplicates are possible and harmless (consumers are
// idempotent); loss is not. Woken at once by `notify()` from the processes' own commits, and
// polls every `interval` for events committed by other processes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/loop_pass.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::app {

class OutboxRelay {
 public:
  // `lease`: how long this relay's claims hold if it dies (a batch of kBatch entries must be
  // published well within it, or another publisher may publish its tail as well).
  OutboxRelay(ports::Store& store, ports::Broker& broker, Millis interval,
              Millis lease = std::chrono::seconds(5));
  ~OutboxRelay();
  void start();
  void stop();
  void notify();
  // Publishes everything pending now; returns how many entries were published.
  Result<int64_t> drain();
  // How long the loop's current pass has run (zero between passes).
  Millis pass_running_for() const { return pass_.running_for(); }

 private:
  static constexpr std::size_t kBatch = 32;  // entries claimed at a time

  ports::Store& store_;
  ports::Broker& broker_;
  Millis interval_;
  Millis lease_;
  const std::string owner_;  // this relay's name on its claims
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool pending_wake_ = false;
  LoopPass pass_;
  std::jthread thread_;
};

}  // namespace donut::app
