// Runs tasks at a later time on a few worker threads (the factory simulator's manufacturing
// delays, delayed answers and callback retries). Tasks due at the same time run in submission
// order on one thread, but with several threads nothing is ordered. `stop` drops tasks not yet
// due and joins. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace donut {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Scheduler(int threads = 2);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void run_at(Clock::time_point when, std::function<void()> task);
  void run_after(std::chrono::milliseconds delay, std::function<void()> task) {
    run_at(Clock::now() + delay, std::move(task));
  }
  void stop();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<Clock::time_point, std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace donut
