// The broker port's contract fixture (ports/broker.h). The tests are in
// broker_contract_test.cc; each engine instantiates them in its own file
// (broker_engines_local.cc: memory and SQLite; broker_engines_rabbitmq.cc;
// broker_engines_aws.cc: SNS + SQS), so every engine runs the same list of tests.
//
// Two ways time moves. The embedded engines take a ManualClock: a visibility timeout,
// a delay or a retention period passes in no time by advancing it. RabbitMQ and SQS keep their
// own clocks, so on them the fixture really waits (`real_time`), with a short visibility
// timeout, and receives with a long poll where a message is expected. Where an engine cannot
// keep a promise at test speed or at all, its BrokerEngine says so and the test says which.
#pragma once

#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "common/ids.h"
#include "ports/broker.h"
#include "support/broker_helpers.h"
#include "support/temp_dir.h"

namespace donut {

struct BrokerEngine {
  std::string name;
  std::function<std::unique_ptr<ports::Broker>(const ports::Clock&, testing::TempDir&)> make;
  // The work queues' visibility timeout; every other duration in the tests is a multiple.
  Millis visibility{10'000};
  bool real_time = false;  // time passes by waiting, not by advancing the ManualClock
  // How long a receive that must find nothing polls: long enough for a message that should be
  // there to show, short enough that a hidden one cannot come back meanwhile.
  Millis quiet_wait{0};
  // Engine limits, each naming why (empty: the promise is kept and tested).
  std::string no_in_flight_count;  // stats().in_flight is always 0
  std::string no_short_retention;  // a retention period of a few visibility timeouts
};

inline std::ostream& operator<<(std::ostream& out, const BrokerEngine& engine) {
  return out << engine.name;
}

class BrokerContract : public ::testing::TestWithParam<BrokerEngine> {
 protected:
  void SetUp() override {
    const BrokerEngine& engine = GetParam();
    broker_ = engine.make(clock_, dir_);
    // Fresh names per test keep tests apart on a shared server.
    const std::string prefix = "t" + random_hex(4) + "-";
    work_ = prefix + "work";
    dlq_ = prefix + "work-dlq";
    audit_ = prefix + "audit";
    topic_ = prefix + "events";
    const Millis v = engine.visibility;
    ports::Topology topology;
    topology.queues.push_back({dlq_, v, std::chrono::hours(24), "", 0});
    topology.queues.push_back({work_, v, retention(), dlq_, 3});
    topology.queues.push_back({audit_, v, std::chrono::hours(1), "", 0});
    topology.subscriptions.push_back({topic_, work_, {"stock.empty"}});
    topology.subscriptions.push_back({topic_, audit_, {}});
    ASSERT_TRUE(broker_->declare(topology));
    ASSERT_TRUE(broker_->declare(topology)) << "declare is idempotent";
  }

  Millis visibility() const { return GetParam().visibility; }
  // The work queue's retention period: a few visibility timeouts where time is simulated.
  std::chrono::seconds retention() const {
    if (GetParam().real_time) return std::chrono::hours(1);
    return std::chrono::duration_cast<std::chrono::seconds>(6 * visibility());
  }

  void pass(Millis time) {
    if (GetParam().real_time) {
      std::this_thread::sleep_for(time);
    } else {
      clock_.advance(time);
    }
  }

  // Receives until `count` messages came (a real engine may hand them out over several calls),
  // within a few visibility timeouts.
  std::vector<ports::ReceivedMessage> receive(const std::string& queue, std::size_t count = 1,
                                              int max = 10) {
    std::vector<ports::ReceivedMessage> got;
    const Millis wait = GetParam().real_time ? 3 * visibility() : Millis(0);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    do {
      auto more = testing::receive_or_fail(*broker_, queue, wait, max);
      got.insert(got.end(), more.begin(), more.end());
    } while (got.size() < count && std::chrono::steady_clock::now() < deadline);
    return got;
  }

  bool receives_nothing(const std::string& queue) {
    return testing::receive_or_fail(*broker_, queue, GetParam().quiet_wait, 10).empty();
  }

  // A queue's figures once `field` reads `expected`: a real engine's counts are approximate
  // and lag its moves by a moment (SQS says so; RabbitMQ counts a requeued message late).
  int64_t count(const std::string& queue, int64_t ports::QueueStats::*field, int64_t expected) {
    int64_t seen = -1;
    for (int i = 0; i < 30; ++i) {
      auto stats = broker_->stats(queue);
      EXPECT_TRUE(stats) << stats.error().message;
      if (stats) seen = (*stats).*field;
      if (seen == expected || !GetParam().real_time) break;
      std::this_thread::sleep_for(Millis(100));
    }
    return seen;
  }

  // A dead-letter queue's content once it holds `count` (moves may lag on a real engine).
  std::vector<ports::ReceivedMessage> peek(const std::string& queue, std::size_t count) {
    std::vector<ports::ReceivedMessage> seen;
    for (int i = 0; i < 30; ++i) {
      auto got = broker_->peek(queue, 10);
      EXPECT_TRUE(got) << got.error().message;
      if (got) seen = *got;
      if (seen.size() >= count || !GetParam().real_time) break;
      std::this_thread::sleep_for(Millis(100));
    }
    return seen;
  }

  clock::ManualClock clock_;
  testing::TempDir dir_;
  std::unique_ptr<ports::Broker> broker_;
  std::string work_, dlq_, audit_, topic_;
};

}  // namespace donut
