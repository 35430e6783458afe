#include "app/pruner.h"

#include <string>

#include <spdlog/spdlog.h>

#include "common/backoff.h"
#include "common/deadline.h"
#include "common/thread_name.h"

namespace donut::app {

namespace {

std::string days(std::chrono::seconds s) {
  return fmt::format("{:g}", std::chrono::duration<double, std::ratio<86400>>(s).count());
}

}  // namespace

Status validate(const RetentionWindows& windows, std::chrono::seconds minimum_arrivals) {
  if (windows.arrivals < minimum_arrivals) {
    return make_error(ErrorCode::invalid_argument,
                      "arrivals must be kept at least " + days(minimum_arrivals) +
                          " days (a redelivered arrival is recognised by its row; a message can "
                          "live in a queue, its dead-letter queue and the queue again), not " +
                          days(windows.arrivals));
  }
  const std::chrono::seconds others[] = {windows.idempotency_keys, windows.published_outbox,
                                         windows.timeline_entries};
  for (auto window : others) {
    if (window < std::chrono::hours(1)) {
      return make_error(
          ErrorCode::invalid_argument,
          "a retention window is at least an hour, not " + std::to_string(window.count()) + " s");
    }
  }
  return ok();
}

Pruner::Pruner(ports::Store& store, const ports::Clock& clock, Options options)
    : store_(store), clock_(clock), options_(options) {}

Pruner::~Pruner() {
  stop();
}

void Pruner::start() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::jthread([this](std::stop_token stop) {
    name_this_thread("pruner");
    int failures = 0;
    while (!stop.stop_requested()) {
      Millis wait = options_.interval;
      if (auto pass = prune_due(); !pass) {
        ++failures;
        wait = backoff_delay(failures, kLoopRetryBase, kLoopRetryCap);
        spdlog::warn("pruner: {} (retry in {} ms)", pass.error().message, wait.count());
      } else {
        failures = 0;
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, wait, [] { return false; });
    }
  });
}

void Pruner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

Result<int64_t> Pruner::prune_kind(ports::Retained what, std::chrono::seconds window, TimePoint now,
                                   bool& cut_short) {
  int64_t total = 0;
  for (;;) {
    cut_short = cut_short || bounded_by_deadline(options_.batch_budget) < options_.batch_budget;
    if (cut_short) return total;
    DONUT_ASSIGN_OR_RETURN(int64_t deleted, store_.prune(what, now - window, options_.batch));
    total += deleted;
    if (deleted < static_cast<int64_t>(options_.batch)) return total;
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, options_.pause, [this] { return stopping_; })) return total;
  }
}

Result<Pruner::Pass> Pruner::prune_due() {
  const auto timing = pass_.time();
  const TimePoint now = clock_.now();
  const auto& w = options_.windows;
  Pass pass;
  bool& cut = pass.cut_short;
  DONUT_ASSIGN_OR_RETURN(pass.idempotency_keys, prune_kind(ports::Retained::idempotency_keys,
                                                           w.idempotency_keys, now, cut));
  DONUT_ASSIGN_OR_RETURN(pass.published_outbox, prune_kind(ports::Retained::published_outbox,
                                                           w.published_outbox, now, cut));
  DONUT_ASSIGN_OR_RETURN(pass.timeline_entries, prune_kind(ports::Retained::timeline_entries,
                                                           w.timeline_entries, now, cut));
  DONUT_ASSIGN_OR_RETURN(pass.arrivals,
                         prune_kind(ports::Retained::arrivals, w.arrivals, now, cut));
  if (pass.idempotency_keys + pass.published_outbox + pass.timeline_entries + pass.arrivals > 0) {
    spdlog::info(
        "pruner: {} idempotency keys, {} published outbox entries, {} timeline entries, "
        "{} arrivals past their windows",
        pass.idempotency_keys, pass.published_outbox, pass.timeline_entries, pass.arrivals);
  }
  return pass;
}

}  // namespace donut::app
