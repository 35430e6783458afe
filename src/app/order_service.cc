#include "app/order_service.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/assert.h"
#include "common/logging.h"
#include "common/thread_name.h"
#include "common/trace.h"

namespace donut::app {
namespace {

Error shutting_down() {
  return make_error(ErrorCode::unavailable, "the sales service is shutting down");
}

}  // namespace

OrderService::OrderService(ports::Store& store, Options options,
                           std::function<void()> on_restock_opened)
    : store_(store), options_(options), on_restock_opened_(std::move(on_restock_opened)) {
  if (options_.strategy == Strategy::group_commit) {
    writer_count_ = options_.writers != 0 ? options_.writers
                                          : std::max<std::size_t>(1, store_.pipelined_batches());
    writers_.reserve(writer_count_);
    for (std::size_t i = 0; i < writer_count_; ++i) {
      writers_.emplace_back([this] {
        name_this_thread("sales-writer");
        writer_loop();
      });
    }
  }
}

OrderService::~OrderService() {
  stop();
}

void OrderService::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  work_available_.notify_all();
  for (auto& writer : writers_) writer.join();
  // caller_commits: what is still queued was never decided; it is refused, not lost in silence.
  std::vector<Pending> undecided;
  {
    std::lock_guard lock(mutex_);
    undecided.swap(queue_);
  }
  for (auto& pending : undecided) {
    pending.done(shutting_down());
  }
}

void OrderService::submit(domain::OrderRequest request, Completion done) {
  if (options_.strategy == Strategy::per_request) {
    std::vector<Pending> one;
    one.push_back({std::move(request), std::move(done)});
    decide(one);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back({std::move(request), std::move(done)});
      work_available_.notify_one();
      return;
    }
  }
  done(shutting_down());
}

void OrderService::take_batch(std::vector<Pending>& batch) {
  if (queue_.size() <= options_.max_batch) {
    batch.swap(queue_);
  } else {
    auto split = queue_.begin() + static_cast<std::ptrdiff_t>(options_.max_batch);
    batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(split));
    queue_.erase(queue_.begin(), split);
  }
}

void OrderService::writer_loop() {
  // writer_count_, not writers_.size(): the constructor may still be starting the others.
  const bool pipelined = writer_count_ > 1;
  std::vector<Pending> batch;
  for (;;) {
    uint64_t taken = 0;
    {
      std::unique_lock lock(mutex_);
      work_available_.wait(
          lock, [&] { return (stopping_ && queue_.empty()) || (turn_ == 0 && !queue_.empty()); });
      if (queue_.empty()) return;  // stopping and drained
      take_batch(batch);
      taken = ++batches_taken_;
      if (pipelined) turn_ = taken;
    }
    if (!pipelined) {
      decide(batch);
    } else {
      decide(
          batch, [this, taken] { pass_turn(taken); }, taken);
      pass_turn(taken);  // the store failed before locking
    }
    batch.clear();
  }
}

void OrderService::wait_for_earlier_batches(uint64_t taken) {
  {
    std::unique_lock lock(mutex_);
    earlier_returned_.wait(lock, [&] { return returned_through_ + 1 == taken; });
    returned_through_ = taken;
  }
  earlier_returned_.notify_all();
}

void OrderService::pass_turn(uint64_t taken) {
  {
    std::lock_guard lock(mutex_);
    if (turn_ != taken) return;
    turn_ = 0;
  }
  work_available_.notify_one();
}

std::size_t OrderService::commit_queued() {
  std::size_t decided = 0;
  std::vector<Pending> batch;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return decided;
      take_batch(batch);
    }
    decided += batch.size();
    decide(batch);
    batch.clear();
  }
}

std::size_t OrderService::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void OrderService::decide(std::vector<Pending>& batch, const std::function<void()>& locked,
                          uint64_t taken) {
  std::vector<domain::OrderRequest> requests;
  requests.reserve(batch.size());
  for (auto& pending : batch) requests.push_back(std::move(pending.request));
  auto outcomes = store_.place_orders(requests, locked);
  if (taken != 0) wait_for_earlier_batches(taken);
  transactions_.fetch_add(1, std::memory_order_relaxed);
  orders_.fetch_add(batch.size(), std::memory_order_relaxed);
  if (!outcomes) {
    spdlog::error("sales: a batch of {} orders failed: {}", batch.size(), outcomes.error().message);
    answer([batch = std::move(batch), error = outcomes.error()]() mutable {
      for (auto& pending : batch) pending.done(error);
    });
    return;
  }
  // The hook runs before the answers go out, so a host that reacts per request (Lambda) sees
  // it by the time its request is answered.
  const bool restock_opened = std::any_of(outcomes->begin(), outcomes->end(),
                                          [](const auto& o) { return o.restock_opened; });
  if (restock_opened && on_restock_opened_) on_restock_opened_();
  check_answers(requests, *outcomes);
  if (options_.on_decided) options_.on_decided(*outcomes);
  answer([batch = std::move(batch), outcomes = std::move(*outcomes)]() mutable {
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(outcomes[i]));
  });
}

void OrderService::check_answers(std::span<const domain::OrderRequest> requests,
                                 std::span<const domain::OrderOutcome> outcomes) {
  for (const auto& o : outcomes) {
    // The order that emptied the shelf opened the restock: one line links the two.
    if (o.status == domain::OrderStatus::sold && o.restock_opened) {
      LogScope scope{{"order_id", o.order_id},
                     {"restock_id", o.restock_id},
                     {"product_id", o.product_id},
                     {"trace_id", trace::trace_id_for(o.restock_id)}};
      spdlog::info("sales: order {} took the last of {}; restock {} opened", o.order_id,
                   o.product_id, o.restock_id);
    }
  }
  // The port's promise, which the answers rely on: one outcome per request, in order.
  DONUT_ASSERT(outcomes.size() == requests.size(), "place_orders answers every request");
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& o = outcomes[i];
    DONUT_ASSERT(o.product_id == requests[i].product_id && o.quantity == requests[i].quantity,
                 "place_orders answers the requests in their order");
    DONUT_ASSERT(o.stock_left >= 0);
  }
}

void OrderService::answer(std::function<void()> task) {
  if (options_.answer_on) {
    options_.answer_on(std::move(task));
  } else {
    task();
  }
}

}  // namespace donut::app
