// `donut surge` against a whole local system: the story end to end with its invariants, and
// proof that the invariant check catches a warehouse that cooks its books.
#include "surge/surge.h"

#include <cmath>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/test_system.h"
#include "surge/chart.h"
#include "surge/compare.h"
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
  kept.after.units_arrived = kept.after.units_restocked = 100;
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

  auto short_of_what_it_asked = kept;  // an arrival of 100 for a restock that asked for 60
  short_of_what_it_asked.after.units_restocked = 60;
  ASSERT_EQ(judged(short_of_what_it_asked).failures.size(), 1u);

  auto missing = kept;
  missing.missing_rows = 3;
  ASSERT_EQ(judged(missing).failures.size(), 1u);
  EXPECT_EQ(judged(missing).failures[0], "3 orders answered 201 have no order row");

  auto unreadable = kept;
  unreadable.unreadable_rows = 2;
  EXPECT_FALSE(judged(unreadable).judged());
  EXPECT_FALSE(judged(unreadable).ok());
}

// The seconds of the load at 0, from the samples: each sample at 0 counts until the next one, and
// nothing after the load ended counts.
TEST(SurgeVerdict, CountsTheSecondsOfTheLoadWithTheShelfEmpty) {
  surge::SurgeReport r;
  r.load_seconds = 10;
  r.stock_samples = {{0, 5}, {1, 0}, {2.5, 0}, {3, 7}, {8, 0}, {9.5, 0}, {12, 4}};
  r.restock_list = {{0.5, 40, 2.0}, {8.2, 90, std::nullopt}};
  surge::summarize(r);
  EXPECT_DOUBLE_EQ(r.stock_out_seconds, 2 + 2);
  EXPECT_EQ(r.stock_outs, 2);
  EXPECT_EQ(r.largest_restock, 90);
}

TEST(SurgeCompare, SetsTheRunsSideBySideAgainstTheGoal) {
  surge::Comparison c;
  c.at_zero.out_of_stock = 2700;
  c.at_zero.stock_out_seconds = 16;
  c.reorder_point.out_of_stock = 270;
  c.reorder_point.stock_out_seconds = 2;
  c.reorder_point.largest_restock = 5000;
  c.reorder_point.final_stock = 4000;
  auto f = surge::compare(c);
  EXPECT_DOUBLE_EQ(f.fewer_refusals, 10);
  EXPECT_DOUBLE_EQ(f.fewer_stock_out_seconds, 8);
  EXPECT_TRUE(f.stock_left_within_one_order);
  EXPECT_TRUE(f.goal_met);
  c.reorder_point.final_stock = 5001;
  EXPECT_FALSE(surge::compare(c).goal_met) << "more left than one order quantity";
  c.reorder_point.final_stock = 10;
  c.reorder_point.stock_out_seconds = 4;
  EXPECT_FALSE(surge::compare(c).goal_met) << "only 4x fewer seconds at 0";
  c.reorder_point.out_of_stock = 0;
  c.reorder_point.stock_out_seconds = 0;
  f = surge::compare(c);
  EXPECT_TRUE(std::isinf(f.fewer_refusals)) << "none refused at all";
  EXPECT_TRUE(f.goal_met);
  std::ostringstream printed;
  surge::print_comparison(c, printed);
  EXPECT_NE(printed.str().find("none left"), std::string::npos) << printed.str();
  EXPECT_NE(printed.str().find("): met"), std::string::npos) << printed.str();
}

TEST(SurgeChart, TheComparisonDrawsBothRunsOnTheSameScales) {
  surge::SurgeReport a, b;
  a.timeline.resize(11, {10, 90, 0, 0});
  a.stock_samples = {{0, 300}, {2, 0}, {6, 300}, {7, 0}};
  b.timeline.resize(11, {100, 0, 0, 0});
  b.stock_samples = {{0, 300}, {3, 40}, {5, 4000}, {10, 200}};
  const auto svg = surge::render_comparison_chart(a, "at zero", b, "reorder point", "both");
  EXPECT_NE(svg.find(">at zero</text>"), std::string::npos);
  EXPECT_NE(svg.find(">reorder point</text>"), std::string::npos);
  EXPECT_NE(svg.find(">4000</text>"), std::string::npos) << "one stock axis, up to the larger run";
  std::size_t axes = 0;
  for (auto at = svg.find("stock (units)"); at != std::string::npos;
       at = svg.find("stock (units)", at + 1)) {
    ++axes;
  }
  EXPECT_EQ(axes, 2u) << "a panel each";
}

// The same crowd restocking at zero, then at the reorder point, against one shop and factory:
// both keep every invariant, and the reorder point loses fewer sales.
TEST_F(Surge, TheComparisonRunsBothPoliciesAndTheReorderPointLosesFewerSales) {
  std::ostringstream log;
  auto both = surge::run_comparison(options_, log);
  ASSERT_TRUE(both) << both.error().message;
  for (const auto* r : {&both->at_zero, &both->reorder_point}) {
    std::ostringstream printed;
    surge::print_report(*r, printed);
    EXPECT_TRUE(r->ok()) << printed.str();
    EXPECT_EQ(r->errors, 0);
    EXPECT_GT(r->restocks, 0) << r->policy;
    EXPECT_EQ(r->restock_list.size(), static_cast<std::size_t>(r->restocks)) << r->policy;
  }
  EXPECT_EQ(both->at_zero.policy, "at_zero");
  EXPECT_EQ(both->reorder_point.policy, "reorder_point");
  EXPECT_EQ(both->at_zero.largest_restock, 100);
  EXPECT_LT(both->reorder_point.out_of_stock, both->at_zero.out_of_stock);
  auto glazed = system_->store().get_product("CP-SURGE.reorder_point");
  ASSERT_TRUE(glazed) << glazed.error().message;
  EXPECT_GT(glazed->replenishment.lead_time.arrivals, 0) << "it learned the factory's lead time";
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
