#include "adapters/memory/memory_broker.h"

#include <algorithm>

#include "common/ids.h"

namespace donut::memory {

Result<MemoryBroker::Queue*> MemoryBroker::find(std::string_view name) {
  auto it = queues_.find(name);
  if (it == queues_.end())
    return make_error(ErrorCode::not_found, "no queue '" + std::string(name) + "'");
  return &it->second;
}

Status MemoryBroker::declare(const ports::Topology& topology) {
  std::lock_guard lock(mutex_);
  for (const auto& spec : topology.queues) queues_[spec.name].spec = spec;
  for (const auto& sub : topology.subscriptions) {
    auto same = [&](const ports::Subscription& s) {
      return s.topic == sub.topic && s.queue == sub.queue;
    };
    std::erase_if(subscriptions_, same);
    subscriptions_.push_back(sub);
  }
  return ok();
}

void MemoryBroker::enqueue(Queue& queue, const ports::OutgoingMessage& message, TimePoint now) {
  Stored stored;
  stored.message.message_id = new_id();
  stored.message.body = message.body;
  stored.message.attributes = message.attributes;
  stored.message.sent_at = now;
  stored.visible_at = now + message.delay;
  stored.expires_at = now + std::chrono::duration_cast<Millis>(queue.spec.retention);
  queue.messages.emplace(next_seq_++, std::move(stored));
  ++generation_;
}

Status MemoryBroker::publish(std::string_view topic, const ports::OutgoingMessage& message) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    for (const auto& sub : subscriptions_) {
      if (sub.topic != topic || !sub.accepts(message.attributes)) continue;
      DONUT_ASSIGN_OR_RETURN(Queue * queue, find(sub.queue));
      enqueue(*queue, message, now);
    }
  }
  changed_.notify_all();
  return ok();
}

Status MemoryBroker::send(std::string_view queue_name, const ports::OutgoingMessage& message) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
    enqueue(*queue, message, now);
  }
  changed_.notify_all();
  return ok();
}

std::vector<ports::ReceivedMessage> MemoryBroker::take_visible(Queue& queue,
                                                               const ports::ReceiveOptions& options,
                                                               TimePoint now) {
  std::vector<ports::ReceivedMessage> out;
  const Millis visibility = options.visibility_timeout.value_or(queue.spec.visibility_timeout);
  // Oldest-visible first, as the SQLite broker does.
  std::vector<std::map<uint64_t, Stored>::iterator> ready;
  for (auto it = queue.messages.begin(); it != queue.messages.end(); ++it) {
    if (it->second.visible_at <= now) ready.push_back(it);
  }
  std::stable_sort(ready.begin(), ready.end(),
                   [](auto a, auto b) { return a->second.visible_at < b->second.visible_at; });
  if (ready.size() > static_cast<std::size_t>(std::max(1, options.max_messages))) {
    ready.resize(static_cast<std::size_t>(std::max(1, options.max_messages)));
  }
  for (auto it : ready) {
    Stored& stored = it->second;
    if (stored.expires_at <= now) {
      queue.messages.erase(it);
      continue;
    }
    const auto& spec = queue.spec;
    if (!spec.dead_letter_queue.empty() && stored.message.receive_count >= spec.max_receive_count) {
      auto dlq = queues_.find(spec.dead_letter_queue);
      if (dlq != queues_.end()) {
        Stored moved = std::move(stored);
        moved.message.receive_count = 0;
        moved.message.receipt.clear();
        moved.message.source_queue = spec.name;
        moved.visible_at = now;
        moved.expires_at = now + std::chrono::duration_cast<Millis>(dlq->second.spec.retention);
        queue.messages.erase(it);
        dlq->second.messages.emplace(next_seq_++, std::move(moved));
        continue;
      }
    }
    stored.message.receive_count += 1;
    stored.message.receipt = random_hex(16);
    stored.visible_at = now + visibility;
    out.push_back(stored.message);
  }
  return out;
}

Result<std::vector<ports::ReceivedMessage>> MemoryBroker::receive(
    std::string_view queue_name, const ports::ReceiveOptions& options, std::stop_token stop) {
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  std::unique_lock lock(mutex_);
  for (;;) {
    DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
    auto messages = take_visible(*queue, options, clock_.now());
    if (!messages.empty() || options.wait.count() == 0) return messages;
    // Hidden messages become visible by the clock, not by a notification: re-check often
    // enough for a ManualClock moved by a test, and at the deadline.
    const auto wake_at = std::min(deadline, std::chrono::steady_clock::now() + Millis(50));
    const uint64_t seen = generation_;
    changed_.wait_until(lock, stop, wake_at, [&] { return generation_ != seen; });
    if (stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
      return std::vector<ports::ReceivedMessage>{};
    }
  }
}

Status MemoryBroker::delete_message(std::string_view queue_name, std::string_view receipt) {
  std::lock_guard lock(mutex_);
  DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
  std::erase_if(queue->messages, [&](const auto& entry) {
    return !entry.second.message.receipt.empty() && entry.second.message.receipt == receipt;
  });
  return ok();
}

Status MemoryBroker::change_visibility(std::string_view queue_name, std::string_view receipt,
                                       Millis timeout) {
  const TimePoint now = clock_.now();
  {
    std::lock_guard lock(mutex_);
    DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
    auto it = std::find_if(queue->messages.begin(), queue->messages.end(), [&](const auto& e) {
      return !e.second.message.receipt.empty() && e.second.message.receipt == receipt;
    });
    if (it == queue->messages.end()) {
      return make_error(ErrorCode::not_found,
                        "receipt is no longer valid (message deleted or received again)");
    }
    it->second.visible_at = now + timeout;
    ++generation_;
  }
  changed_.notify_all();
  return ok();
}

Result<ports::QueueStats> MemoryBroker::stats(std::string_view queue_name) {
  const TimePoint now = clock_.now();
  std::lock_guard lock(mutex_);
  DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
  ports::QueueStats stats;
  stats.queue = queue->spec.name;
  stats.dead_letter_queue = queue->spec.dead_letter_queue;
  for (const auto& [seq, stored] : queue->messages) {
    if (stored.visible_at <= now) {
      ++stats.visible;
    } else if (stored.message.receive_count > 0) {
      ++stats.in_flight;
    } else {
      ++stats.delayed;
    }
  }
  return stats;
}

Result<std::vector<ports::ReceivedMessage>> MemoryBroker::peek(std::string_view queue_name,
                                                               int max) {
  std::lock_guard lock(mutex_);
  DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
  std::vector<ports::ReceivedMessage> out;
  for (const auto& [seq, stored] : queue->messages) {
    if (static_cast<int>(out.size()) >= max) break;
    out.push_back(stored.message);
    out.back().receipt.clear();
  }
  return out;
}

Result<int64_t> MemoryBroker::redrive(std::string_view dead_letter_queue, int64_t max) {
  const TimePoint now = clock_.now();
  int64_t moved = 0;
  {
    std::lock_guard lock(mutex_);
    DONUT_ASSIGN_OR_RETURN(Queue * dlq, find(dead_letter_queue));
    const bool is_dead_letter_queue = std::any_of(queues_.begin(), queues_.end(), [&](auto& q) {
      return q.second.spec.dead_letter_queue == dead_letter_queue;
    });
    if (!is_dead_letter_queue) return ports::no_source_queue(dead_letter_queue);
    for (auto it = dlq->messages.begin(); it != dlq->messages.end() && moved < max;) {
      auto source = queues_.find(it->second.message.source_queue);
      if (source == queues_.end()) {
        ++it;
        continue;
      }
      Stored back = std::move(it->second);
      back.message.receive_count = 0;
      back.message.receipt.clear();
      back.message.source_queue.clear();
      back.visible_at = now;
      back.expires_at = now + std::chrono::duration_cast<Millis>(source->second.spec.retention);
      source->second.messages.emplace(next_seq_++, std::move(back));
      it = dlq->messages.erase(it);
      ++moved;
    }
    ++generation_;
  }
  changed_.notify_all();
  return moved;
}

Result<int64_t> MemoryBroker::purge(std::string_view queue_name) {
  std::lock_guard lock(mutex_);
  DONUT_ASSIGN_OR_RETURN(Queue * queue, find(queue_name));
  const auto n = static_cast<int64_t>(queue->messages.size());
  queue->messages.clear();
  return n;
}

}  // namespace donut::memory
