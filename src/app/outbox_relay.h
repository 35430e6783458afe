// Publishes committed outbox events to the broker (the transactional outbox's second half).
//
// Loop: read the oldest pending entries, publish each to its topic with its type as the
// `type` attribute, mark them published. A crash between publish and mark publishes again
// after restart: duplicates are possible and harmless (consumers are idempotent); loss is not.
// Woken at once by `notify()` from the processes' own commits, and polls every `interval` for
// events committed by other processes.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/loop_pass.h"
#include "ports/broker.h"
#include "ports/store.h"

namespace donut::app {

class OutboxRelay {
 public:
  OutboxRelay(ports::Store& store, ports::Broker& broker, Millis interval);
  ~OutboxRelay();
  void start();
  void stop();
  void notify();
  // Publishes everything pending now; returns how many entries were published.
  Result<int64_t> drain();
  // How long the loop's current pass has run (zero between passes).
  Millis pass_running_for() const { return pass_.running_for(); }

 private:
  ports::Store& store_;
  ports::Broker& broker_;
  Millis interval_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  bool pending_wake_ = false;
  LoopPass pass_;
  std::jthread thread_;
};

}  // namespace donut::app
