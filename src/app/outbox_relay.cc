#include "app/outbox_relay.h"

#include <spdlog/spdlog.h>

#include "app/queue_consumer.h"
#include "app/trace_attributes.h"
#include "codec/events_json.h"
#include "common/assert.h"
#include "common/ids.h"
#include "common/planted_defects.h"
#include "common/thread_name.h"

namespace donut::app {

OutboxRelay::OutboxRelay(ports::Store& store, ports::Broker& broker, Millis interval, Millis lease)
    : store_(store),
      broker_(broker),
      interval_(interval),
      lease_(lease),
      owner_("relay-" + random_hex(8)) {}

OutboxRelay::~OutboxRelay() {
  stop();
}

void OutboxRelay::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    name_this_thread("outbox-relay");
    int failures = 0;
    while (!stop.stop_requested()) {
      auto published = [this] {
        const auto timing = pass_.time();
        return drain();
      }();
      Millis wait = interval_;
      if (!published) {
        ++failures;
        wait = backoff_delay(failures, kLoopRetryBase, kLoopRetryCap);
        spdlog::warn("outbox relay: {} (retry in {} ms)", published.error().message, wait.count());
      } else {
        failures = 0;
      }
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, wait, [&] { return pending_wake_; });
      pending_wake_ = false;
    }
  });
}

void OutboxRelay::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void OutboxRelay::notify() {
  {
    std::lock_guard lock(mutex_);
    pending_wake_ = true;
  }
  wake_.notify_one();
}

Result<int64_t> OutboxRelay::drain() {
  int64_t total = 0;
  for (;;) {
    DONUT_ASSIGN_OR_RETURN(auto entries, store_.claim_outbox(owner_, kBatch, lease_));
    if (entries.empty()) return total;
    DONUT_ASSERT(entries.size() <= kBatch);
    DONUT_ASSERT(std::is_sorted(entries.begin(), entries.end(),
                                [](const auto& a, const auto& b) { return a.id < b.id; }),
                 "claim_outbox returns the oldest entries first");
    std::vector<int64_t> published;
    published.reserve(entries.size());
    if (planted::is_planted(planted::Defect::relay_marks_before_publishing)) {
      for (const auto& entry : entries) published.push_back(entry.id);
      DONUT_RETURN_IF_ERROR(store_.mark_published(published));
      published.clear();
    }
    Status failure = ok();
    std::size_t attempted = 0;
    for (auto& entry : entries) {
      ++attempted;
      ports::OutgoingMessage message;
      message.attributes.emplace(ports::kTypeAttribute, entry.type);
      if (auto event = codec::decode_event(entry.body)) {
        add_trace_attributes(message.attributes, domain::event_restock_id(*event),
                             domain::event_product_id(*event));
      }
      message.body = std::move(entry.body);
      if (auto status = broker_.publish(entry.topic, message); !status) {
        failure = status;
        break;
      }
      published.push_back(entry.id);
    }
    DONUT_RETURN_IF_ERROR(store_.mark_published(published));
    total += static_cast<int64_t>(published.size());
    if (!failure) {
      // What was not published goes back now rather than when the lease ends.
      std::vector<int64_t> left;
      for (std::size_t i = attempted - 1; i < entries.size(); ++i) left.push_back(entries[i].id);
      (void)store_.release_outbox(owner_, left);
      return failure.error();
    }
  }
}

}  // namespace donut::app
