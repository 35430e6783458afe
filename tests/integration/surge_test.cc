// `donut surge` against a whole local system: the story end to end with its invariants, and
// proof that the invariant check catches a warehouse that cooks its books.
#include "surge/surge.h"

#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_system.h"
#include "surge/chart.h"
#include "surge/verdict.h"

namespace donut {
namespace {

class Surge : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = local::LocalSystem::start(testing::fast_config(dir_));
    ASSERT_TRUE(system) << system.error().message;
    system_ = std::move(*system);
    options_.url = system_->url();
    options_.admin_token = system_->config().http.admin_token;
    options_.product = "CP-SURGE";
    options_.initial_stock = 150;
    options_.restock_quantity = 100;
    options_.connections = 16;
    options_.start_rate = 50;
    options_.peak_rate = 400;
    options_.ramp = Millis(1'000);
    options_.hold = Millis(2'000);
    options_.settle_timeout = Millis(15'000);
  }

  testing::TempDir dir_;
  std::unique_ptr<local::LocalSystem> system_;
  surge::SurgeOptions options_;
};

TEST_F(Surge, TheStoryHoldsEveryInvariant) {
  std::ostringstream log;
  auto report = surge::run_surge(options_, log);
  ASSERT_TRUE(report) << report.error().message;
  std::ostringstream printed;
  surge::print_report(*report, printed);
  EXPECT_TRUE(report->ok()) << printed.str();
  EXPECT_GT(report->out_of_stock, 0) << "the crowd outran the stock";
  EXPECT_GE(report->stock_outs, 1);
  EXPECT_GE(report->sold, 150);
  EXPECT_EQ(report->errors, 0);
  const auto chart = surge::render_chart(*report, "test");
  EXPECT_NE(chart.find("<svg"), std::string::npos);
  EXPECT_NE(chart.find("<polyline"), std::string::npos);
  EXPECT_NE(chart.find("stock (units)"), std::string::npos) << "the left axis says its unit";
  EXPECT_NE(chart.find("orders per second"), std::string::npos) << "and the right one";
  EXPECT_NE(chart.find(">stock-out</text>"), std::string::npos) << "stock-outs are marked";
  EXPECT_NE(chart.find(">restocked</text>"), std::string::npos) << "and restocks";
}

TEST(SurgeThrottled, A429IsRetriedAfterItsRetryAfterWithTheSameKeyAndSellsOnce) {
  // A shop that turns the crowd away (its own per-client limit: 429 with Retry-After, as API
  // Gateway's throttling answers 429 in front of the AWS deployment): every order is retried
  // until it is answered, none is counted as an error, none sells twice.
  testing::TempDir dir;
  auto config = testing::fast_config(dir);
  config.http.rate_limit = 100;  // orders/s from this one client address
  auto system = local::LocalSystem::start(config);
  ASSERT_TRUE(system) << system.error().message;
  surge::SurgeOptions options;
  options.url = (*system)->url();
  options.admin_token = (*system)->config().http.admin_token;
  options.product = "CP-THROTTLED";
  options.initial_stock = 100;
  options.restock_quantity = 100;
  options.connections = 16;
  options.start_rate = 300;  // three times what the shop lets through
  options.peak_rate = 300;
  options.ramp = Millis(0);
  options.hold = Millis(2'000);
  options.settle_timeout = Millis(15'000);
  std::ostringstream log;
  auto report = surge::run_surge(options, log);
  ASSERT_TRUE(report) << report.error().message;
  std::ostringstream printed;
  surge::print_report(*report, printed);
  EXPECT_TRUE(report->ok()) << printed.str();
  EXPECT_GT(report->throttled, 0) << printed.str();
  EXPECT_EQ(report->errors, 0) << printed.str();
  EXPECT_EQ(report->sold + report->out_of_stock, report->requests) << "every order answered";
}

TEST(SurgeChart, AxesHaveRoundTicksAndEveryStockOutAndRestockIsMarked) {
  surge::SurgeReport r;
  r.timeline.resize(23, {40, 5, 0, 0});
  r.stock_samples = {{0, 300}, {4, 120}, {8, 0}, {12, 0}, {14, 250}, {18, 0}, {22, 250}};
  const auto svg = surge::render_chart(r, "t");
  auto count = [&](const std::string& text) {
    std::size_t n = 0;
    for (auto at = svg.find(text); at != std::string::npos; at = svg.find(text, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count(">stock-out</text>"), 2u);
  EXPECT_EQ(count(">restocked</text>"), 2u);
  // Stock to 300 in steps of 100 (0..300), seconds to 25 in steps of 5 (0..25), rates to 40.
  for (const char* tick : {">300</text>", ">100</text>", ">25</text>", ">40</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
}

TEST_F(Surge, InvariantsCatchStockThatAppearsFromNowhere) {
  std::thread meddler([&] {
    std::this_thread::sleep_for(Millis(1'500));
    ASSERT_TRUE(system_->store().set_stock("CP-SURGE", 5'000));
  });
  std::ostringstream log;
  auto report = surge::run_surge(options_, log);
  meddler.join();
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->ok());
  bool found = false;
  for (const auto& f : report->failures) found = found || f.find("final") != std::string::npos;
  EXPECT_TRUE(found) << "the stock balance check names the break";
}

// The verdict alone, on the figures of a run that kept every invariant, then with one broken at
// a time: it names each break, and declines to judge when the order rows could not be read.
TEST(SurgeVerdict, NamesEachBrokenInvariant) {
  surge::SurgeOptions options;
  options.restock_quantity = 100;
  surge::SurgeReport run;
  run.timeline = {{10, 2, 0, 0}};
  run.stock_samples = {{0, 10}, {0.5, 0}, {1.5, 100}};
  surge::summarize(run);
  EXPECT_EQ(run.requests, 12);
  EXPECT_EQ(run.stock_outs, 1);
  ASSERT_EQ(run.restock_seconds.size(), 1u);
  surge::Evidence kept;
  kept.before.stock = 10;
  kept.after.stock = 100;  // sold 10, one arrival of 100
  kept.after.orders = kept.after.units_sold = 10;
  kept.after.arrivals = kept.after.restocks_arrived = 1;
  kept.after.units_arrived = 100;
  kept.answered_ids = 10;
  auto judged = [&](const surge::Evidence& evidence) {
    surge::SurgeReport report = run;
    surge::judge(report, options, evidence);
    return report;
  };
  EXPECT_TRUE(judged(kept).ok()) << ::testing::PrintToString(judged(kept).failures);

  auto twice = kept;
  twice.after.arrivals = 2;
  twice.after.units_arrived = 200;
  twice.after.stock = 200;
  const auto doubled = judged(twice);
  ASSERT_EQ(doubled.failures.size(), 1u);
  EXPECT_NE(doubled.failures[0].find("applied twice"), std::string::npos);

  auto missing = kept;
  missing.missing_rows = 3;
  ASSERT_EQ(judged(missing).failures.size(), 1u);
  EXPECT_EQ(judged(missing).failures[0], "3 orders answered 201 have no order row");

  auto unreadable = kept;
  unreadable.unreadable_rows = 2;
  EXPECT_FALSE(judged(unreadable).judged());
  EXPECT_FALSE(judged(unreadable).ok());
}

TEST_F(Surge, RefusesAWrongAdminToken) {
  options_.admin_token = "wrong";
  std::ostringstream log;
  auto report = surge::run_surge(options_, log);
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::unauthorized);
}

}  // namespace
}  // namespace donut
