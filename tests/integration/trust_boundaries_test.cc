// The shop's doors tried by callers who are not friendly: made-up ids and paths by the thousand
// against the metrics. Every case runs the whole local system over HTTP on loopback.
#include <atomic>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_system.h"

namespace donut {
namespace {

using testing::eventually;
using testing::post_order;

class TrustBoundaries : public testing::LocalSystemTest {};

// The series of a scrape: every sample line, without its value.
std::set<std::string> series_of(const std::string& scrape) {
  std::set<std::string> series;
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    series.insert(line.substr(0, line.rfind(' ')));
  }
  return series;
}

// Runs `request(i)` for i in [0, n) on a few client threads.
void in_parallel(int n, const std::function<void(int)>& request) {
  std::atomic<int> next{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      for (int i = next++; i < n; i = next++) request(i);
    });
  }
  for (auto& c : clients) c.join();
}

TEST_F(TrustBoundaries, TenThousandMadeUpIdsAndPathsDoNotGrowTheScrape) {
  start(testing::fast_config(dir_));
  add_product("CP-1", 1'000'000, 0);
  // One of each kind first, so every series the attack could touch exists.
  ASSERT_EQ(post_order(url_, "CP-1", 1, "key-0").status, 201);
  ASSERT_EQ(post_order(url_, "MADE-UP-0", 1).status, 404);
  ASSERT_EQ(post_order(url_, "MADE-UP-0", 1, "key-0").status, 422);
  ASSERT_EQ(testing::request("GET", url_ + "/v1/products/MADE-UP-0").status, 404);
  ASSERT_EQ(testing::request("GET", url_ + "/made/up/0").status, 404);
  ASSERT_EQ(testing::request("DELETE", url_ + "/v1/products").status, 405);
  ASSERT_EQ(testing::request("GET", url_ + "/metrics").status, 200);
  const std::string before = testing::request("GET", url_ + "/metrics").body;

  std::atomic<int> refused{0};
  in_parallel(10'000, [&](int i) {
    const std::string id = "MADE-UP-" + std::to_string(i + 1);
    refused += post_order(url_, id, 1).status == 404;
    if (i % 10 == 0) refused += post_order(url_, id, 1, "key-0").status == 422;
    refused += testing::request("GET", url_ + "/v1/products/" + id).status == 404;
    refused += testing::request("GET", url_ + "/made/up/" + id).status == 404;
  });
  EXPECT_EQ(refused.load(), 31'000);
  const std::string after = testing::request("GET", url_ + "/metrics").body;

  EXPECT_EQ(series_of(after), series_of(before)) << "no series was added";
  EXPECT_LT(after.size(), before.size() + 400) << "only the counters' digits grew";
  EXPECT_EQ(after.find("MADE-UP"), std::string::npos);
  EXPECT_NE(after.find(R"(donut_orders_total{outcome="unknown_product",product="other"} 10001)"),
            std::string::npos)
      << "the refused orders are still counted, under one label";
}

}  // namespace
}  // namespace donut
