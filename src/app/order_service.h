// Places orders against the store: the sales path behind POST /v1/orders.
//
// Two strategies, chosen at construction:
// - group_commit (default): callers hand their order to a single writer thread, which takes
//   every order waiting at that moment and decides them all in ONE store transaction (one
//   fsync), then answers each caller. Under load a batch fills while the previous one commits,
//   so throughput grows with concurrency while each answer still follows its own durable commit.
//   Nothing is answered before the transaction holding it has committed. Where the store lets
//   transactions overlap (`Store::pipelined_batches`, MySQL: 2), as many writers take turns:
//   the next one takes the next batch once the previous batch's products are locked, so its
//   statements run while the previous commit flushes, and each product's orders are still
//   decided in the order they were queued, except that a batch the engine retries (a deadlock,
//   or a key the batch before recorded meanwhile) can be decided after the one that followed
//   it: stock never below zero and nothing sold twice all the same. A batch is answered only
//   once every batch taken before it has returned from the store.
// - per_request: each order is its own transaction on the caller's thread (the seed's way, kept
//   as the baseline the benchmark compares against).
// - caller_commits: group commit without the writer thread: orders wait until the owner calls
//   `commit_queued()`, which decides everything queued (up to max_batch per transaction) on the
//   owner's thread. The simulator drives sales this way, one seeded thread choosing when a
//   batch commits.
//
// Completion callbacks run where `Options::answer_on` puts them, by default on the writer thread
// (group_commit), the caller's thread (per_request) or the thread calling `commit_queued`
// (caller_commits); they must be quick (the HTTP layer builds the answer and posts it to the
// connection's strand). `stop` decides everything the writer has
// queued, then joins it; orders still waiting for `commit_queued` are refused (`unavailable`).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "domain/order.h"
#include "ports/store.h"

namespace donut::app {

class OrderService {
 public:
  enum class Strategy { group_commit, per_request, caller_commits };
  using Completion = std::function<void(Result<domain::OrderOutcome>)>;

  struct Options {
    Strategy strategy = Strategy::group_commit;
    std::size_t max_batch = 1024;
    // Told about every committed batch (metrics), on the thread that decided it, before its
    // orders are answered; must be quick.
    std::function<void(std::span<const domain::OrderOutcome>)> on_decided;
    // Where a batch's answers run: handed one task that completes every order of the batch,
    // in order, once its transaction has ended. Empty: on the thread that decided the batch.
    // A host hands the task to its HTTP threads, so one wake-up answers a whole batch and the
    // writer goes back to deciding.
    std::function<void(std::function<void()>)> answer_on;
    // group_commit: writer threads; zero takes the store's `pipelined_batches()`.
    std::size_t writers = 0;
  };

  // `on_restock_opened` runs after a commit that opened a restock and before its orders are
  // answered (wakes the outbox relay).
  OrderService(ports::Store& store, Options options, std::function<void()> on_restock_opened = {});
  ~OrderService();
  OrderService(const OrderService&) = delete;
  OrderService& operator=(const OrderService&) = delete;

  void submit(domain::OrderRequest request, Completion done);
  // caller_commits: decides the queued orders, in batches of at most max_batch; returns how many
  // orders it decided. Under the other strategies there is never anything queued for it.
  std::size_t commit_queued();
  // caller_commits: how many orders wait for `commit_queued`.
  std::size_t queued() const;
  void stop();

  struct Counters {
    uint64_t orders = 0;
    uint64_t transactions = 0;
  };
  Counters counters() const { return {orders_.load(), transactions_.load()}; }

 private:
  struct Pending {
    domain::OrderRequest request;
    Completion done;
  };
  void writer_loop();
  // Moves up to max_batch queued orders into `batch`; call with `mutex_` held.
  void take_batch(std::vector<Pending>& batch);
  // Decides `batch` in one transaction and answers it; leaves `batch` empty. `locked` is the
  // store's (ports/store.h).
  // `taken`: the pipelined batch's number (0: not pipelined).
  void decide(std::vector<Pending>& batch, const std::function<void()>& locked = {},
              uint64_t taken = 0);
  // Pipelined writers: returns once every batch taken before batch `taken` has returned from
  // the store. A batch's COMMIT flushes the log of those before it only if it wrote something;
  // one that only replays keys writes nothing, and could otherwise answer from a batch whose
  // COMMIT is still on its way to disk.
  void wait_for_earlier_batches(uint64_t taken);
  // Lets the next writer take a batch once batch `taken` has its products locked (or ended);
  // a later call for the same batch changes nothing.
  void pass_turn(uint64_t taken);
  // Logs the stock-outs a batch caused and asserts the port's promise about its answers.
  static void check_answers(std::span<const domain::OrderRequest> requests,
                            std::span<const domain::OrderOutcome> outcomes);
  void answer(std::function<void()> task);

  ports::Store& store_;
  Options options_;
  std::function<void()> on_restock_opened_;
  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  // Pipelined writers: the number of the batch taken whose products are not locked yet, which
  // the others wait for (0: none); batches are numbered from 1 as they are taken.
  uint64_t turn_ = 0;
  uint64_t batches_taken_ = 0;
  std::size_t writer_count_ = 0;  // set before the writers start, never changed after
  // The last pipelined batch whose store call and every earlier one's have returned.
  uint64_t returned_through_ = 0;
  std::condition_variable earlier_returned_;
  std::vector<std::thread> writers_;
  std::atomic<uint64_t> orders_{0};
  std::atomic<uint64_t> transactions_{0};
};

}  // namespace donut::app
