// Crash tests: `donut up` is killed with SIGKILL at random moments while 16 clients buy, many
// times over, and restarted on the same data folder. After every crash the warehouse must show
// every order that was answered 201, stock never negative, the stock balance intact and no
// arrival applied twice; at the end, after a quiet restart, every restock has completed.
// The factory runs as its own process (a real factory is not killed with us).
// DONUT_CRASH_POINTS sets how many crashes (default 50).
#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <fcntl.h>
#include <fstream>
#include <mutex>
#include <netinet/in.h>
#include <random>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_store.h"
#include "support/child_process.h"
#include "support/test_system.h"

#ifndef DONUT_BINARY
#error "DONUT_BINARY must name the donut executable"
#endif

namespace donut {
namespace {

constexpr int64_t kInitialStock = 300;
constexpr int64_t kRestock = 100;

struct Warehouse {
  int64_t stock, units_sold, units_arrived, arrivals, restocks_arrived, restocks_open,
      restocks_requested;
};

Warehouse read_warehouse(const std::string& path, const std::vector<std::string>& sold_ids,
                         int64_t& missing) {
  clock::SystemClock clock;
  auto db = sqlite::Database::open({path, 1, true});
  EXPECT_TRUE(db);
  sqlite::SqliteStore store(*db, clock);
  auto stats = store.stats();
  EXPECT_TRUE(stats);
  const auto it = std::find_if(stats->products.begin(), stats->products.end(),
                               [](const auto& p) { return p.product_id == "HOT"; });
  EXPECT_NE(it, stats->products.end());
  const auto& p = *it;
  missing = 0;
  for (const auto& id : sold_ids) {
    if (!store.get_order(id)) ++missing;
  }
  return {p.stock,         p.units_sold,        p.units_arrived, p.arrivals, p.restocks_arrived,
          p.restocks_open, p.restocks_requested};
}

TEST(Crash, KillNineAtRandomPointsLosesNothingAndAppliesNothingTwice) {
  const int crash_points =
      std::getenv("DONUT_CRASH_POINTS") ? std::atoi(std::getenv("DONUT_CRASH_POINTS")) : 50;
  testing::TempDir dir;
  {
    std::ofstream seed(dir.file("products.json"));
    seed << R"({"products":[{"id":"HOT","name":"Hot","price_cents":100,"stock":)" << kInitialStock
         << R"(,"restock_quantity":)" << kRestock << "}]}";
  }
  testing::Child factory(
      {DONUT_BINARY, "factory", "--data-dir", dir.path().string(), "--factory-port", "0",
       "--factory-delay-ms", "30", "--no-seed", "--log-level", "info"},
      "factory simulator on ");
  const std::string factory_url = factory.ready_line();
  ASSERT_FALSE(factory_url.empty());

  const std::string port = std::to_string(testing::free_port());
  std::mt19937 rng(std::random_device{}());
  std::vector<std::string> sold_ids;
  std::mutex sold_mutex;
  int64_t answered_201 = 0;
  for (int round = 0; round < crash_points; ++round) {
    testing::Child up({DONUT_BINARY,
                       "up",
                       "--data-dir",
                       dir.path().string(),
                       "--port",
                       port,
                       "--factory-url",
                       factory_url,
                       "--seed-file",
                       dir.file("products.json"),
                       "--visibility-timeout-ms",
                       "800",
                       "--restock-lease-ms",
                       "1000",
                       "--retry-base-ms",
                       "50",
                       "--retry-cap-ms",
                       "300",
                       "--log-level",
                       "warn"},
                      "Sales API      ");
    const std::string url = up.ready_line();
    ASSERT_FALSE(url.empty()) << "round " << round;
    std::atomic<bool> running{true};
    std::vector<std::thread> clients;
    for (int c = 0; c < 16; ++c) {
      clients.emplace_back([&] {
        while (running) {
          auto answer = testing::post_order(url, "HOT", 1);
          if (answer.status == 201) {
            EXPECT_GE(answer.json.at("stock_left").as_int64(), 0);
            std::lock_guard lock(sold_mutex);
            sold_ids.push_back(testing::json_string(answer.json, "order_id"));
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

    int64_t missing = 0;
    const auto w = read_warehouse(dir.file("warehouse.db"), sold_ids, missing);
    ASSERT_EQ(missing, 0) << "round " << round << ": an order answered 201 was lost";
    ASSERT_GE(w.stock, 0) << "round " << round;
    ASSERT_EQ(kInitialStock + w.units_arrived - w.units_sold, w.stock) << "round " << round;
    ASSERT_EQ(w.arrivals, w.restocks_arrived) << "round " << round << ": an arrival applied twice";
    ASSERT_EQ(w.units_arrived, w.arrivals * kRestock) << "round " << round;
    ASSERT_GE(w.units_sold, answered_201) << "round " << round;
  }

  // A quiet restart: the pipeline finishes whatever the crashes interrupted.
  testing::Child up(
      {DONUT_BINARY, "up", "--data-dir", dir.path().string(), "--port", port, "--factory-url",
       factory_url, "--visibility-timeout-ms", "800", "--restock-lease-ms", "1000",
       "--retry-base-ms", "50", "--retry-cap-ms", "300", "--log-level", "warn"},
      "Sales API      ");
  int64_t missing = 0;
  Warehouse w{};
  const bool settled = testing::eventually(
      [&] {
        w = read_warehouse(dir.file("warehouse.db"), sold_ids, missing);
        return w.restocks_open == 0 && w.restocks_requested == 0;
      },
      std::chrono::seconds(60));
  EXPECT_TRUE(settled) << "open " << w.restocks_open << ", requested " << w.restocks_requested;
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(kInitialStock + w.units_arrived - w.units_sold, w.stock);
  EXPECT_EQ(w.arrivals, w.restocks_arrived);
  if (!settled) std::system(("curl -s " + factory_url + "/admin/stats >&2").c_str());
  if (!settled)
    std::system(("sqlite3 " + dir.file("warehouse.db") +
                 " 'select * from restocks; select queue, receive_count, visible_at_ms, body from "
                 "broker_messages; select id, type, published_at_ms from outbox order by id desc "
                 "limit 5' >&2")
                    .c_str());
  std::cout << "crash points survived: " << crash_points
            << ", orders answered 201: " << answered_201 << ", units sold: " << w.units_sold
            << ", arrivals: " << w.arrivals << "\n";
}

}  // namespace
}  // namespace donut
