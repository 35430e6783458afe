// Self-hosted mode on a real MariaDB server: several `donut sales` processes on one product
// never oversell, and a database restart under load answers 503 meanwhile, then recovers
// without losing or doubling an order.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/mysql/database.h"
#include "adapters/mysql/mysql_store.h"
#include "support/child_process.h"
#include "support/mariadb_server.h"
#include "support/test_system.h"

#ifndef DONUT_BINARY
#error "DONUT_BINARY must name the donut executable"
#endif

namespace donut {
namespace {

using testing::MariaDbServer;

const auto* const kServer = ::testing::AddGlobalTestEnvironment(new MariaDbServer);

class SelfHosted : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = MariaDbServer::url("donut_" + random_hex(6));
    auto settings = mysql::Database::parse_url(url_);
    ASSERT_TRUE(settings);
    auto db = mysql::Database::open({*settings, 4});
    ASSERT_TRUE(db) << db.error().message;
    db_ = *db;
    store_ = std::make_unique<mysql::MysqlStore>(db_, clock_);
  }

  std::unique_ptr<testing::Child> sales() {
    return std::make_unique<testing::Child>(
        std::vector<std::string>{DONUT_BINARY, "sales", "--database", url_, "--data-dir",
                                 dir_.path().string(), "--port", "0", "--no-seed", "--log-level",
                                 "warn"},
        "listening on ");
  }

  clock::SystemClock clock_;
  testing::TempDir dir_;
  std::string url_;
  std::shared_ptr<mysql::Database> db_;
  std::unique_ptr<mysql::MysqlStore> store_;
};

TEST_F(SelfHosted, ThreeSalesProcessesNeverOversell) {
  ASSERT_TRUE(store_->upsert_product({"HOT", "Hot", 100, 5000, 0}));
  std::vector<std::unique_ptr<testing::Child>> processes;
  for (int i = 0; i < 3; ++i) processes.push_back(sales());
  std::vector<std::string> urls;
  for (auto& p : processes) {
    ASSERT_FALSE(p->ready_line().empty());
    urls.push_back(p->ready_line());
  }
  std::mutex mutex;
  std::vector<std::string> sold;
  std::atomic<int> negative{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 64; ++c) {
    clients.emplace_back([&, c] {
      const auto& url = urls[static_cast<std::size_t>(c) % urls.size()];
      for (;;) {
        auto answer = testing::post_order(url, "HOT", 1);
        if (answer.status == 409) break;
        if (answer.status != 201) {
          ++other;
          if (other > 100) break;
          continue;
        }
        if (answer.json.at("stock_left").as_int64() < 0) ++negative;
        std::lock_guard lock(mutex);
        sold.push_back(testing::json_string(answer.json, "order_id"));
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(sold.size(), 5000u);
  EXPECT_EQ(negative.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(std::set<std::string>(sold.begin(), sold.end()).size(), sold.size());
  EXPECT_EQ(store_->get_product("HOT")->stock, 0);
  auto stats = store_->stats();
  EXPECT_EQ(stats->products.front().units_sold, 5000);
  int missing = 0;
  for (const auto& id : sold) missing += store_->get_order(id) ? 0 : 1;
  EXPECT_EQ(missing, 0) << "every 201 has its order row";
}

TEST_F(SelfHosted, DatabaseRestartUnderLoadAnswers503ThenRecovers) {
  constexpr int64_t kStock = 1'000'000;
  ASSERT_TRUE(store_->upsert_product({"HOT", "Hot", 100, kStock, 0}));
  auto process = sales();
  const std::string url = process->ready_line();
  ASSERT_FALSE(url.empty());
  std::mutex mutex;
  std::vector<std::string> sold;
  std::atomic<int> unavailable{0}, other{0}, sold_after_restart{0};
  std::atomic<bool> running{true}, restarted{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      while (running) {
        auto answer = testing::post_order(url, "HOT", 1);
        if (answer.status == 201) {
          if (restarted) ++sold_after_restart;
          std::lock_guard lock(mutex);
          sold.push_back(testing::json_string(answer.json, "order_id"));
        } else if (answer.status == 503) {
          ++unavailable;
          EXPECT_EQ(testing::error_code(answer), "unavailable");
        } else {
          ++other;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  MariaDbServer::stop();
  EXPECT_TRUE(testing::eventually([&] { return unavailable > 0; }, std::chrono::seconds(10)))
      << "the API says 503 while the database is down";
  EXPECT_EQ(testing::request("GET", url + "/readyz").status, 503);
  ASSERT_TRUE(MariaDbServer::start());
  restarted = true;
  EXPECT_TRUE(
      testing::eventually([&] { return sold_after_restart > 50; }, std::chrono::seconds(20)))
      << "orders succeed again after the restart";
  running = false;
  for (auto& t : clients) t.join();
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(testing::request("GET", url + "/readyz").status, 200);

  auto fresh = mysql::Database::open({*mysql::Database::parse_url(url_), 2});
  ASSERT_TRUE(fresh);
  mysql::MysqlStore check(*fresh, clock_);
  auto stats = check.stats();
  ASSERT_TRUE(stats);
  const auto& p = stats->products.front();
  EXPECT_EQ(p.stock + p.units_sold, kStock) << "no order doubled: stock and sales add up";
  EXPECT_GE(p.units_sold, static_cast<int64_t>(sold.size()));
  int missing = 0;
  for (const auto& id : sold) missing += check.get_order(id) ? 0 : 1;
  EXPECT_EQ(missing, 0) << "no order answered 201 was lost";
  std::cout << "orders answered 201: " << sold.size() << ", 503 answers while down: " << unavailable
            << ", orders in the warehouse: " << p.units_sold << "\n";
}

}  // namespace
}  // namespace donut
