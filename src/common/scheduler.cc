#include "common/scheduler.h"

#include "common/thread_name.h"

namespace donut {

Scheduler::Scheduler(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] {
      name_this_thread("scheduler");
      work();
    });
  }
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::run_at(Clock::time_point when, std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    tasks_.emplace(when, std::move(task));
  }
  changed_.notify_one();
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    tasks_.clear();
  }
  changed_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void Scheduler::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (tasks_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto first = tasks_.begin();
    if (const auto due = first->first; due > Clock::now()) {
      // A copy: while this thread waits, another may run and erase that task.
      changed_.wait_until(lock, due);
      continue;
    }
    auto task = std::move(first->second);
    tasks_.erase(first);
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace donut
