// The crash harness shared by the embedded and the self-hosted crash tests: `donut up` is
// killed with SIGKILL at random moments while 16 clients buy, many times over, and restarted
// on the same warehouse. After every crash the warehouse must show every order that was
// answered 201, stock never negative, the stock balance intact and no arrival applied twice; at
// the end, after a quiet restart, every restock has completed. The factory runs as its own
// process (a real factory is not killed with us).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <signal.h>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_store.h"
#include "ports/store.h"
#include "support/child_process.h"
#include "support/temp_dir.h"
#include "support/test_system.h"

#ifndef DONUT_BINARY
#error "DONUT_BINARY must name the donut executable"
#endif

namespace donut::testing {

struct CrashRun {
  int crash_points = 50;
  // Extra arguments for `donut up`: where the warehouse and the queues are.
  std::vector<std::string> engine_args;
  // A fresh view of the warehouse the killed processes wrote to.
  std::function<std::unique_ptr<ports::Store>()> open_store;
  // Called when the pipeline did not settle, to show what it was stuck on.
  std::function<void()> explain_stuck = [] {};
};

// For runs whose warehouse is a SQLite file: a fresh store on it per read, and what to print
// when the pipeline is stuck (its restocks, embedded queue rows and newest outbox rows).
inline void use_sqlite_warehouse(CrashRun& run, std::string path) {
  run.open_store = [path]() -> std::unique_ptr<ports::Store> {
    static const clock::SystemClock clock;
    auto db = sqlite::Database::open({path, 1, true});
    EXPECT_TRUE(db);
    if (!db) throw ErrorException(db.error());
    return std::make_unique<sqlite::SqliteStore>(*db, clock);
  };
  run.explain_stuck = [path] {
    std::system(("sqlite3 " + path +
                 " 'select * from restocks; select queue, receive_count, visible_at_ms, body from "
                 "broker_messages; select id, type, published_at_ms from outbox order by id desc "
                 "limit 5' >&2")
                    .c_str());
  };
}

// DONUT_CRASH_POINTS overrides `fallback`.
inline int crash_points_from_environment(int fallback) {
  const char* text = std::getenv("DONUT_CRASH_POINTS");
  return text != nullptr ? std::atoi(text) : fallback;
}

namespace crash {

constexpr int64_t kInitialStock = 300;
constexpr int64_t kRestock = 100;

struct Warehouse {
  int64_t stock = 0, units_sold = 0, units_arrived = 0, arrivals = 0, restocks_arrived = 0,
          restocks_open = 0, restocks_requested = 0, missing_orders = 0;
};

inline Warehouse read_warehouse(const CrashRun& run, const std::vector<std::string>& sold_ids) {
  Warehouse w;
  auto store = run.open_store();
  auto stats = store->stats();
  EXPECT_TRUE(stats);
  if (!stats) return w;
  const auto it = std::find_if(stats->products.begin(), stats->products.end(),
                               [](const auto& p) { return p.product_id == "HOT"; });
  EXPECT_NE(it, stats->products.end());
  if (it == stats->products.end()) return w;
  w = {it->stock,
       it->units_sold,
       it->units_arrived,
       it->arrivals,
       it->restocks_arrived,
       it->restocks_open,
       it->restocks_requested,
       0};
  for (const auto& id : sold_ids) {
    if (!store->get_order(id)) ++w.missing_orders;
  }
  return w;
}

// `donut dlq redrive <queue>` on this run's engines, as an operator would; returns how many
// messages it moved.
inline int64_t redrive(const CrashRun& run, TempDir& dir, const std::string& queue) {
  std::string command = std::string(DONUT_BINARY) + " dlq redrive " + queue + " --data-dir '" +
                        dir.path().string() + "'";
  for (const auto& arg : run.engine_args) command += " '" + arg + "'";
  FILE* output = ::popen(command.c_str(), "r");
  EXPECT_NE(output, nullptr);
  if (output == nullptr) return 0;
  char line[256] = {};
  long long moved = 0;
  if (std::fgets(line, sizeof line, output) != nullptr) std::sscanf(line, "moved %lld", &moved);
  EXPECT_EQ(::pclose(output), 0) << command;
  return moved;
}

}  // namespace crash

// Runs the rounds and the quiet restart; the first broken invariant fails the current test.
// Prints the crash points survived and the orders checked.
inline void run_crash_rounds(const CrashRun& run, TempDir& dir) {
  using namespace crash;
  {
    std::ofstream seed(dir.file("products.json"));
    seed << R"({"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":)" << kInitialStock
         << R"(,"restock_quantity":)" << kRestock << "}]}";
  }
  // The same data folder: the factory shares the shop's callback secret and admin token.
  const std::string port = std::to_string(free_port());
  Child factory({DONUT_BINARY, "factory", "--data-dir", dir.path().string(), "--factory-port", "0",
                 "--factory-callback-url", "http://127.0.0.1:" + port + "/v1/stock-arrivals",
                 "--factory-delay-ms", "30", "--no-seed", "--log-level", "info"},
                "factory simulator on ");
  const std::string factory_url = factory.ready_line();
  ASSERT_FALSE(factory_url.empty());

  auto up_args = [&](bool seed) {
    std::vector<std::string> args{DONUT_BINARY,
                                  "up",
                                  "--data-dir",
                                  dir.path().string(),
                                  "--port",
                                  port,
                                  "--factory-url",
                                  factory_url,
                                  "--visibility-timeout-ms",
                                  "800",
                                  "--restock-lease-ms",
                                  "1000",
                                  "--retry-base-ms",
                                  "50",
                                  "--retry-cap-ms",
                                  "300",
                                  "--log-level",
                                  "warn"};
    if (seed) {
      args.push_back("--seed-file");
      args.push_back(dir.file("products.json"));
    }
    args.insert(args.end(), run.engine_args.begin(), run.engine_args.end());
    return args;
  };

  std::mt19937 rng(std::random_device{}());
  std::vector<std::string> sold_ids;
  std::mutex sold_mutex;
  int64_t answered_201 = 0;
  for (int round = 0; round < run.crash_points; ++round) {
    Child up(up_args(true), "Sales API      ");
    const std::string url = up.ready_line();
    ASSERT_FALSE(url.empty()) << "round " << round;
    std::atomic<bool> running{true};
    std::vector<std::thread> clients;
    for (int c = 0; c < 16; ++c) {
      clients.emplace_back([&] {
        while (running) {
          auto answer = post_order(url, "HOT", 1);
          if (answer.status == 201) {
            EXPECT_GE(answer.json.at("stock_left").as_int64(), 0);
            std::lock_guard lock(sold_mutex);
            sold_ids.push_back(json_string(answer.json, "order_id"));
            ++answered_201;
          } else if (answer.status == 0) {
            break;  // the process is gone
          }
        }
      });
    }
    std::this_thread::sleep_for(Millis(std::uniform_int_distribution<int>(20, 400)(rng)));
    up.kill(SIGKILL);
    running = false;
    for (auto& c : clients) c.join();

    const auto w = read_warehouse(run, sold_ids);
    ASSERT_EQ(w.missing_orders, 0) << "round " << round << ": an order answered 201 was lost";
    ASSERT_GE(w.stock, 0) << "round " << round;
    ASSERT_EQ(kInitialStock + w.units_arrived - w.units_sold, w.stock) << "round " << round;
    ASSERT_EQ(w.arrivals, w.restocks_arrived) << "round " << round << ": an arrival applied twice";
    ASSERT_EQ(w.units_arrived, w.arrivals * kRestock) << "round " << round;
    ASSERT_GE(w.units_sold, answered_201) << "round " << round;
  }

  // A quiet restart: the pipeline finishes whatever the crashes interrupted. A message whose
  // deliveries the crashes kept cutting short may have reached max-receive-count and its
  // dead-letter queue; then the operator's redrive must finish it.
  Child up(up_args(false), "Sales API      ");
  Warehouse w;
  auto pipeline_idle = [&] {
    w = read_warehouse(run, sold_ids);
    return w.restocks_open == 0 && w.restocks_requested == 0;
  };
  int64_t redriven = 0;
  if (!eventually(pipeline_idle, std::chrono::seconds(10))) {
    for (const char* queue : {"factory-requests", "stock-arrivals"}) {
      redriven += redrive(run, dir, queue);
    }
    EXPECT_GT(redriven, 0) << "what did not finish is in a dead-letter queue";
  }
  const bool settled = eventually(pipeline_idle, std::chrono::seconds(60));
  EXPECT_TRUE(settled) << "open " << w.restocks_open << ", requested " << w.restocks_requested;
  EXPECT_EQ(w.missing_orders, 0);
  EXPECT_EQ(kInitialStock + w.units_arrived - w.units_sold, w.stock);
  EXPECT_EQ(w.arrivals, w.restocks_arrived);
  if (!settled) {
    std::system(("curl -s -H \"Authorization: Bearer $(cat " + dir.file("admin-token") + ")\" " +
                 factory_url + "/admin/stats >&2")
                    .c_str());
    run.explain_stuck();
  }
  std::cout << "crash points survived: " << run.crash_points
            << ", orders answered 201: " << answered_201 << ", units sold: " << w.units_sold
            << ", arrivals: " << w.arrivals
            << ", dead-lettered by the crashes and redriven: " << redriven << "\n";
}

}  // namespace donut::testing
