// The application's message handlers over the in-memory fakes: restock worker, arrival intake
// and worker, notifier, dead-letter monitor, outbox relay, queue consumer.
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "adapters/memory/memory_broker.h"
#include "adapters/memory/memory_store.h"
#include "app/arrivals.h"
#include "app/notifier.h"
#include "app/outbox_relay.h"
#include "app/queue_consumer.h"
#include "app/restock_handler.h"
#include "app/topology.h"
#include "codec/events_json.h"
#include "codec/factory_signature.h"
#include "common/ids.h"
#include "common/reconnect_gate.h"
#include "common/trace.h"

namespace donut::app {
namespace {
using codec::sign_callback;

// A factory that answers as scripted and can be made to hang until released.
class ScriptedFactory : public ports::FactoryClient {
 public:
  Result<ports::FactoryAck> request_manufacture(const ports::ManufactureRequest& request) override {
    std::unique_lock lock(mutex_);
    requests.push_back(request);
    ++in_call_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !hold_; });
    --in_call_;
    if (!failures.empty()) {
      auto error = failures.front();
      failures.erase(failures.begin());
      return error;
    }
    return ports::FactoryAck{"ok"};
  }
  void hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      hold_ = false;
    }
    changed_.notify_all();
  }
  void wait_until_called() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return in_call_ > 0; });
  }
  std::size_t calls() {
    std::lock_guard lock(mutex_);
    return requests.size();
  }

  std::vector<ports::ManufactureRequest> requests;
  std::vector<Error> failures;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool hold_ = false;
  int in_call_ = 0;
};

class RecordingMailer : public ports::Mailer {
 public:
  Status send(const ports::Email& email) override {
    std::lock_guard lock(mutex_);
    sent.push_back(email);
    return ok();
  }
  std::vector<ports::Email> sent;
  std::mutex mutex_;
};

class Handlers : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.upsert_product({"CP-1", "Glazed", 250, 2, 12}));
    TopologySettings settings;
    settings.visibility_timeout = Millis(30'000);
    settings.max_receive_count = 3;
    ASSERT_TRUE(broker_.declare(pipeline_topology(settings)));
  }

  // Sells the shelf empty and relays the stock.empty event into the queues.
  std::string empty_the_shelf() {
    std::vector<domain::OrderRequest> orders{{new_id(), "CP-1", 2, ""}};
    auto outcome = store_.place_orders(orders);
    EXPECT_TRUE(outcome);
    OutboxRelay relay(store_, broker_, Millis(1000));
    EXPECT_EQ(*relay.drain(), 1);
    return (*outcome)[0].restock_id;
  }

  ports::ReceivedMessage receive_one(std::string_view queue) {
    auto got = broker_.receive(queue, {}, {});
    EXPECT_TRUE(got && got->size() == 1u);
    return got && !got->empty() ? got->front() : ports::ReceivedMessage{};
  }

  RestockHandler make_restock(std::string worker) {
    RestockHandler::Options options;
    options.worker_id = std::move(worker);
    options.callback_url = "http://127.0.0.1:8080/v1/stock-arrivals";
    options.lease = Millis(60'000);
    options.in_place_retry = Millis(1);
    return RestockHandler(store_, factory_, clock_, options);
  }

  clock::ManualClock clock_;
  memory::MemoryStore store_{clock_};
  memory::MemoryBroker broker_{clock_};
  ScriptedFactory factory_;
};

TEST_F(Handlers, RestockAsksTheFactoryOnceWithTheContractFields) {
  const auto restock_id = empty_the_shelf();
  auto message = receive_one(kFactoryRequestsQueue);
  auto handler = make_restock("w1");
  EXPECT_TRUE(handler.handle_one(message, {}).done);
  ASSERT_EQ(factory_.calls(), 1u);
  const auto& r = factory_.requests[0];
  EXPECT_EQ(r.product_id, "CP-1");
  EXPECT_EQ(r.quantity, 12);
  EXPECT_EQ(r.request_id, restock_id);
  EXPECT_EQ(r.message_group_id, "stock-arrival-group");
  EXPECT_EQ(r.callback_url, "http://127.0.0.1:8080/v1/stock-arrivals")
      << "the callback's identity is the signed request id, not a URL parameter";
  EXPECT_EQ(store_.get_restock(restock_id)->state, domain::RestockState::requested);
  EXPECT_TRUE(handler.handle_one(message, {}).done) << "a redelivery is acknowledged";
  EXPECT_EQ(factory_.calls(), 1u) << "and does not call the factory again";
}

// One trace follows the restock: the relay puts its ids on the message, the worker passes the
// traceparent to the factory, and the timeline records the delivery and the answer.
TEST_F(Handlers, TheRestocksIdsTravelWithItsMessagesAndItsTimelineGrows) {
  const auto restock_id = empty_the_shelf();
  auto message = receive_one(kFactoryRequestsQueue);
  EXPECT_EQ(message.attributes.at("restock_id"), restock_id);
  EXPECT_EQ(message.attributes.at("product_id"), "CP-1");
  const auto trace_id = trace::trace_id_of(message.attributes.at("traceparent"));
  ASSERT_TRUE(trace_id) << message.attributes.at("traceparent");
  EXPECT_EQ(*trace_id, trace::trace_id_for(restock_id));

  factory_.failures = {make_error(ErrorCode::timeout, "slow")};
  std::vector<std::string> outcomes;
  RestockHandler::Options options;
  options.worker_id = "w1";
  options.in_place_retry = Millis(1);
  options.on_factory_call = [&](domain::FactoryAnswer answer, Millis) {
    outcomes.emplace_back(domain::to_string(answer));
  };
  RestockHandler handler(store_, factory_, clock_, options);
  EXPECT_TRUE(handler.handle_one(message, {}).done);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"timeout", "accepted"}));
  ASSERT_EQ(factory_.calls(), 2u);
  EXPECT_EQ(trace::trace_id_of(factory_.requests[0].traceparent), trace_id);

  auto history = store_.restock_history("CP-1", 1);
  ASSERT_TRUE(history && history->size() == 1u);
  std::vector<std::string> kinds;
  for (const auto& e : history->front().events) kinds.emplace_back(domain::to_string(e.kind));
  EXPECT_EQ(kinds, (std::vector<std::string>{"stock_out", "queued", "published", "delivery",
                                             "factory_timeout", "factory_accepted", "queued"}));

  // The arrival intake puts the same ids on the stock-arrivals message.
  ArrivalIntake intake(broker_, clock_, {"secret"});
  const std::string body = R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":12,)"
                           R"("MessageAttributeRequestId":")" +
                           restock_id + "\"}";
  const int64_t seconds = to_unix_ms(clock_.now()) / 1000;
  ASSERT_TRUE(intake.accept(std::to_string(seconds), sign_callback("secret", seconds, body), body));
  auto arrival = receive_one(kStockArrivalsQueue);
  EXPECT_EQ(arrival.attributes.at("restock_id"), restock_id);
  EXPECT_EQ(trace::trace_id_of(arrival.attributes.at("traceparent")), trace_id);
}

TEST_F(Handlers, FactoryFailuresAreNamedByKind) {
  using domain::FactoryAnswer;
  EXPECT_EQ(RestockHandler::failure_answer(make_error(ErrorCode::timeout, "")),
            FactoryAnswer::timeout);
  EXPECT_EQ(RestockHandler::failure_answer(make_error(ErrorCode::unavailable, "")),
            FactoryAnswer::unavailable);
  EXPECT_EQ(RestockHandler::failure_answer(make_error(ErrorCode::rate_limited, "")),
            FactoryAnswer::unavailable);
  EXPECT_EQ(RestockHandler::failure_answer(make_error(ErrorCode::invalid_argument, "")),
            FactoryAnswer::rejected);
  EXPECT_EQ(RestockHandler::failure_answer(make_error(ErrorCode::internal, "")),
            FactoryAnswer::error);
}

TEST_F(Handlers, TransientFactoryFailureIsRetriedThenLeftToTheQueue) {
  const auto restock_id = empty_the_shelf();
  auto message = receive_one(kFactoryRequestsQueue);
  factory_.failures = {make_error(ErrorCode::unavailable, "503"),
                       make_error(ErrorCode::timeout, "slow")};
  auto handler = make_restock("w1");
  auto result = handler.handle_one(message, {});
  EXPECT_FALSE(result.done);
  EXPECT_GT(result.retry_after.count(), 0);
  EXPECT_EQ(factory_.calls(), 2u) << "attempts_per_delivery";
  EXPECT_EQ(store_.get_restock(restock_id)->state, domain::RestockState::open);
  auto other = make_restock("w2");
  EXPECT_TRUE(other.handle_one(message, {}).done) << "the lease was released for the next try";
}

TEST_F(Handlers, PermanentFactoryRefusalIsNotRetriedInPlace) {
  empty_the_shelf();
  auto message = receive_one(kFactoryRequestsQueue);
  factory_.failures = {make_error(ErrorCode::invalid_argument, "400")};
  auto handler = make_restock("w1");
  EXPECT_FALSE(handler.handle_one(message, {}).done);
  EXPECT_EQ(factory_.calls(), 1u);
}

TEST_F(Handlers, PoisonMessageIsNeverAcknowledged) {
  ports::ReceivedMessage poison;
  poison.body = "{not json";
  poison.receive_count = 1;
  auto handler = make_restock("w1");
  EXPECT_FALSE(handler.handle_one(poison, {}).done);
  EXPECT_EQ(factory_.calls(), 0u);
}

// The seed's lesson: the factory is slower than the visibility timeout, so the message is
// delivered again while the first worker is still waiting. The restock is requested once.
TEST_F(Handlers, RedeliveryDuringASlowFactoryCallDoesNotRequestTwice) {
  const auto restock_id = empty_the_shelf();
  auto first_delivery = receive_one(kFactoryRequestsQueue);
  factory_.hold();
  // Both threads belong to one process (one worker id); the lease is per delivery.
  auto worker_a = make_restock("same-process");
  auto a = std::async(std::launch::async, [&] { return worker_a.handle_one(first_delivery, {}); });
  factory_.wait_until_called();

  clock_.advance(Millis(30'000));  // visibility timeout runs out under the slow call
  auto second_delivery = receive_one(kFactoryRequestsQueue);
  EXPECT_EQ(second_delivery.receive_count, 2);
  auto worker_b = make_restock("same-process");
  auto busy = worker_b.handle_one(second_delivery, {});
  EXPECT_FALSE(busy.done);
  EXPECT_GT(busy.retry_after.count(), 0) << "put back until worker-a's lease ends";

  factory_.release();
  EXPECT_TRUE(a.get().done);
  clock_.advance(busy.retry_after);
  EXPECT_TRUE(worker_b.handle_one(second_delivery, {}).done);
  EXPECT_EQ(factory_.calls(), 1u);
  EXPECT_EQ(store_.get_restock(restock_id)->state, domain::RestockState::requested);
}

TEST_F(Handlers, ArrivalIntakeChecksTheSignatureBeforeEnqueueing) {
  ArrivalIntake intake(broker_, clock_, {"s3cret", std::chrono::minutes(5)});
  const std::string body =
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":12,"MessageAttributeRequestId":"req-1"})";
  const int64_t ts = to_unix_ms(clock_.now()) / 1000;
  auto refused = intake.accept(std::to_string(ts), sign_callback("wrong", ts, body), body);
  EXPECT_EQ(refused.error().code, ErrorCode::unauthorized);
  EXPECT_EQ(broker_.stats(kStockArrivalsQueue)->visible, 0);

  auto accepted = intake.accept(std::to_string(ts), sign_callback("s3cret", ts, body), body);
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->request_id, "req-1");
  EXPECT_EQ(accepted->restock_id, "req-1") << "the signed request id names the restock too";
  EXPECT_EQ(broker_.stats(kStockArrivalsQueue)->visible, 1);

  // Nothing signed names the request: refused, whatever else the caller could add.
  const std::string anonymous =
      R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":1})";
  auto nameless =
      intake.accept(std::to_string(ts), sign_callback("s3cret", ts, anonymous), anonymous);
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code, ErrorCode::invalid_argument);
  // Fields longer than the warehouse keeps are refused at the door, not cut short later; a
  // request id that would not name one path segment of the admin API as it is, too (a held
  // arrival under it could never be released or discarded).
  for (const std::string& field :
       {R"("MessageAttributeRequestId":")" + std::string(65, 'r') + "\"",
        std::string(R"("MessageAttributeRequestId":"a/b")"),
        std::string(R"("MessageAttributeRequestId":"a%2Fb")"),
        std::string(R"("MessageAttributeRequestId":"a b")"),
        R"("MessageAttributeRequestId":"req-2","MessageAttributeFactoryId":")" +
            std::string(256, 'f') + "\""}) {
    const std::string long_body =
        R"({"MessageAttributeProductId":"CP-1","MessageAttributeProductCnt":1,)" + field + "}";
    auto refused_long =
        intake.accept(std::to_string(ts), sign_callback("s3cret", ts, long_body), long_body);
    ASSERT_FALSE(refused_long) << field;
    EXPECT_EQ(refused_long.error().code, ErrorCode::invalid_argument);
  }
  EXPECT_EQ(broker_.stats(kStockArrivalsQueue)->visible, 1);
}

TEST_F(Handlers, ArrivalsApplyOnceAndUnknownProductsGoToTheDeadLetterQueue) {
  ArrivalHandler handler(store_);
  const auto restock_id = empty_the_shelf();
  ports::ReceivedMessage message;
  message.body = codec::encode_arrival({restock_id, restock_id, "CP-1", 12, "FF", clock_.now()});
  EXPECT_TRUE(handler.handle_one(message).done);
  EXPECT_TRUE(handler.handle_one(message).done);
  EXPECT_EQ(store_.get_product("CP-1")->stock, 12);
  message.body = codec::encode_arrival({"req-2", "", "nope", 12, "FF", clock_.now()});
  EXPECT_FALSE(handler.handle_one(message).done);
}

TEST_F(Handlers, NotifierMailsEveryEventKindWithStableIds) {
  RecordingMailer mailer;
  Notifier notifier(mailer, {"shop@x", {"ops@x"}});
  empty_the_shelf();
  auto message = receive_one(kNotificationsQueue);
  EXPECT_TRUE(notifier.handle_one(message).done);
  EXPECT_TRUE(notifier.handle_one(message).done);
  ASSERT_EQ(mailer.sent.size(), 2u);
  EXPECT_EQ(mailer.sent[0].id, mailer.sent[1].id) << "a redelivery rewrites the same e-mail";
  EXPECT_THAT(mailer.sent[0].subject, ::testing::HasSubstr("CP-1 is out of stock"));
  auto requested =
      compose_email(domain::RestockRequested{"e2", "CP-1", "r1", 12, clock_.now()}, {});
  EXPECT_THAT(requested.subject, ::testing::HasSubstr("restock of CP-1 requested"));
  auto arrived =
      compose_email(domain::StockArrived{"e3", "CP-1", "r1", "q1", 12, 12, clock_.now()}, {});
  EXPECT_THAT(arrived.text, ::testing::HasSubstr("Stock is now 12"));
  // A restock opened before the shelf was empty (its reorder point, or an order refused while
  // some were left) says how many were left.
  auto low = compose_email(domain::StockEmpty{"e4", "CP-1", "r2", 40, 12, clock_.now()}, {});
  EXPECT_THAT(low.subject, ::testing::HasSubstr("CP-1 is running low"));
  EXPECT_THAT(low.text, ::testing::HasSubstr(": 12 left."));
  EXPECT_THAT(low.text, ::testing::HasSubstr("Restock r2 opened: 40 will be requested"));
}

TEST_F(Handlers, DlqMonitorMailsOnceWhenADeadLetterQueueFills) {
  RecordingMailer mailer;
  DlqMonitor monitor(broker_, mailer, {}, {"factory-requests-dlq"}, Millis(1000));
  EXPECT_EQ(monitor.check_once(), 0);
  ASSERT_TRUE(broker_.send("factory-requests-dlq", {"dead", {}, Millis(0)}));
  EXPECT_EQ(monitor.check_once(), 1);
  EXPECT_EQ(monitor.check_once(), 0) << "still not empty: no second mail";
  ASSERT_TRUE(broker_.purge("factory-requests-dlq"));
  EXPECT_EQ(monitor.check_once(), 0);
  ASSERT_TRUE(broker_.send("factory-requests-dlq", {"dead again", {}, Millis(0)}));
  EXPECT_EQ(monitor.check_once(), 1);
  EXPECT_THAT(mailer.sent.back().subject, ::testing::HasSubstr("factory-requests-dlq"));
}

TEST_F(Handlers, OutboxRelayFansEventsOutByType) {
  const auto restock_id = empty_the_shelf();
  EXPECT_EQ(broker_.stats(kFactoryRequestsQueue)->visible, 1);
  EXPECT_EQ(broker_.stats(kNotificationsQueue)->visible, 1);
  EXPECT_TRUE(store_.pending_outbox(10)->empty());
  ASSERT_TRUE(store_.apply_arrival({restock_id, restock_id, "CP-1", 1, "", clock_.now()}));
  OutboxRelay relay(store_, broker_, Millis(1000));
  EXPECT_EQ(*relay.drain(), 1);
  EXPECT_EQ(broker_.stats(kFactoryRequestsQueue)->visible, 1)
      << "stock.arrived is not a factory request";
  EXPECT_EQ(broker_.stats(kNotificationsQueue)->visible, 2);
}

// A broker that fails publishes while `down` is set (the broker or the network is out).
class FlakyBroker : public memory::MemoryBroker {
 public:
  using MemoryBroker::MemoryBroker;
  Status publish(std::string_view topic, const ports::OutgoingMessage& message) override {
    if (down && ++failures_seen > allowed_before_failing) {
      return make_error(ErrorCode::unavailable, "broker down");
    }
    return MemoryBroker::publish(topic, message);
  }
  bool down = false;
  int allowed_before_failing = 0;
  int failures_seen = 0;
};

TEST(OutboxRelay, NothingIsLostWhileTheBrokerIsDown) {
  clock::ManualClock clock;
  memory::MemoryStore store(clock);
  FlakyBroker broker(clock);
  ASSERT_TRUE(broker.declare(pipeline_topology({})));
  ASSERT_TRUE(store.upsert_product({"A", "A", 1, 1, 5}));
  ASSERT_TRUE(store.upsert_product({"B", "B", 1, 1, 5}));
  ASSERT_TRUE(store.upsert_product({"C", "C", 1, 1, 5}));
  std::vector<domain::OrderRequest> orders{
      {new_id(), "A", 1, ""}, {new_id(), "B", 1, ""}, {new_id(), "C", 1, ""}};
  ASSERT_TRUE(store.place_orders(orders));  // three stock.empty events in the outbox
  OutboxRelay relay(store, broker, Millis(1000));
  broker.down = true;
  broker.allowed_before_failing = 1;  // the first publish goes through, then the broker dies
  EXPECT_FALSE(relay.drain());
  EXPECT_EQ(store.pending_outbox(10)->size(), 2u) << "only the published event was marked";
  broker.down = false;
  EXPECT_EQ(*relay.drain(), 2);
  EXPECT_TRUE(store.pending_outbox(10)->empty());
  EXPECT_EQ(broker.stats(kFactoryRequestsQueue)->visible, 3) << "every event arrived once";
}

TEST(OutboxRelay, AFailedPublishGivesItsClaimsBackForAnotherRelayAtOnce) {
  clock::ManualClock clock;
  memory::MemoryStore store(clock);
  FlakyBroker broken(clock);
  ASSERT_TRUE(broken.declare(pipeline_topology({})));
  memory::MemoryBroker working(clock);
  ASSERT_TRUE(working.declare(pipeline_topology({})));
  ASSERT_TRUE(store.upsert_product({"A", "A", 1, 1, 5}));
  ASSERT_TRUE(store.upsert_product({"B", "B", 1, 1, 5}));
  std::vector<domain::OrderRequest> orders{{new_id(), "A", 1, ""}, {new_id(), "B", 1, ""}};
  ASSERT_TRUE(store.place_orders(orders));
  broken.down = true;
  OutboxRelay failing(store, broken, Millis(1000));
  EXPECT_FALSE(failing.drain());
  // No lease to wait out: the claims were given back with the failure.
  OutboxRelay other(store, working, Millis(1000));
  EXPECT_EQ(*other.drain(), 2);
  EXPECT_EQ(working.stats(kFactoryRequestsQueue)->visible, 2);
}

// Relays and sales environments drain the same outbox at the same time: each event is
// published once, not once per publisher.
TEST(OutboxRelay, SeveralRelaysAtOncePublishEachEventOnce) {
  clock::SystemClock clock;
  memory::MemoryStore store(clock);
  memory::MemoryBroker broker(clock);
  ASSERT_TRUE(broker.declare(pipeline_topology({})));
  std::vector<domain::OrderRequest> orders;
  for (int i = 0; i < 60; ++i) {
    const std::string id = "P" + std::to_string(i);
    ASSERT_TRUE(store.upsert_product({id, id, 1, 1, 5}));
    orders.push_back({new_id(), id, 1, ""});
  }
  ASSERT_TRUE(store.place_orders(orders));  // 60 stock.empty events
  std::vector<std::unique_ptr<OutboxRelay>> relays;
  for (int r = 0; r < 4; ++r)
    relays.push_back(std::make_unique<OutboxRelay>(store, broker, Millis(1)));
  std::vector<std::thread> threads;
  std::atomic<int64_t> published{0};
  for (auto& relay : relays) {
    threads.emplace_back([&published, &relay] {
      for (int round = 0; round < 20; ++round) {
        if (auto n = relay->drain()) published += *n;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(published, 60) << "each event published by one relay";
  EXPECT_EQ(broker.stats(kFactoryRequestsQueue)->visible, 60);
  EXPECT_TRUE(store.pending_outbox(100)->empty());
}

TEST(QueueConsumer, FailingMessagesEndInTheDeadLetterQueueAndGoodOnesAreDeleted) {
  clock::SystemClock clock;
  memory::MemoryBroker broker(clock);
  TopologySettings settings;
  settings.visibility_timeout = Millis(50);
  settings.max_receive_count = 3;
  ASSERT_TRUE(broker.declare(pipeline_topology(settings)));
  ASSERT_TRUE(broker.send(kStockArrivalsQueue, {"good", {}, Millis(0)}));
  ASSERT_TRUE(broker.send(kStockArrivalsQueue, {"bad", {}, Millis(0)}));
  std::atomic<int> bad_seen{0};
  QueueConsumer::Options options;
  options.queue = std::string(kStockArrivalsQueue);
  options.wait = Millis(50);
  QueueConsumer consumer(broker, options, [&](auto messages, auto) {
    return handle_each(messages, [&](const ports::ReceivedMessage& m) {
      if (m.body == "good") return MessageResult::ok();
      ++bad_seen;
      return MessageResult::retry(Millis(10));
    });
  });
  consumer.start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (broker.stats("stock-arrivals-dlq")->visible == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(Millis(20));
  }
  consumer.stop();
  EXPECT_EQ(broker.stats("stock-arrivals-dlq")->visible, 1);
  EXPECT_EQ(bad_seen.load(), 3) << "maxReceiveCount deliveries, then the DLQ";
  auto stats = broker.stats(kStockArrivalsQueue);
  EXPECT_EQ(stats->visible + stats->in_flight, 0) << "the good message was deleted";
  EXPECT_EQ(broker.peek("stock-arrivals-dlq", 10)->front().body, "bad");
}

// What the probe listener's /healthz reads: a pass blocked in its handler shows as running; an
// idle consumer (empty long polls) and a monitor waiting between checks show as idle.
TEST(QueueConsumer, APassBlockedInItsHandlerShowsAsRunningAndIdleLoopsDoNot) {
  clock::SystemClock clock;
  memory::MemoryBroker broker(clock);
  ASSERT_TRUE(broker.declare(pipeline_topology({})));
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  QueueConsumer::Options options;
  options.queue = std::string(kStockArrivalsQueue);
  options.wait = Millis(20);
  QueueConsumer consumer(broker, options, [&](auto messages, auto) {
    entered.set_value();
    released.wait();
    return std::vector<MessageResult>(messages.size(), MessageResult::ok());
  });
  consumer.start();
  Millis shortest = std::chrono::hours(1);
  for (int i = 0; i < 20; ++i) {
    std::this_thread::sleep_for(Millis(10));
    shortest = std::min(shortest, consumer.longest_pass());
  }
  EXPECT_LT(shortest, Millis(100)) << "long polls that come back empty are passes that end";
  ASSERT_TRUE(broker.send(kStockArrivalsQueue, {"wedged", {}, Millis(0)}));
  entered.get_future().wait();
  std::this_thread::sleep_for(Millis(200));
  EXPECT_GE(consumer.longest_pass(), Millis(200)) << "the pass in the handler is still running";
  release.set_value();
  consumer.stop();
  EXPECT_EQ(consumer.longest_pass(), Millis(0));

  RecordingMailer mailer;
  DlqMonitor monitor(broker, mailer, {}, {"stock-arrivals-dlq"}, std::chrono::seconds(30));
  monitor.start();
  std::this_thread::sleep_for(Millis(200));
  EXPECT_EQ(monitor.pass_running_for(), Millis(0)) << "waiting between checks is not stuck";
  monitor.stop();
}

TEST(Backoff, GrowsAndIsCapped) {
  for (int attempt = 1; attempt < 30; ++attempt) {
    const auto d = backoff_delay(attempt, Millis(100), Millis(5000));
    EXPECT_GE(d.count(), 100);
    EXPECT_LE(d.count(), 5000);
  }
  EXPECT_EQ(backoff_delay(1, Millis(100), Millis(5000)).count(), 100);
}

TEST(ReconnectGate, SpacesOutAttemptsWhileDownAndOpensWhenBack) {
  ReconnectGate gate("test server");
  EXPECT_TRUE(gate.admit());
  gate.failed(make_error(ErrorCode::unavailable, "refused"));
  EXPECT_TRUE(gate.down());
  EXPECT_EQ(gate.admit().error().code, ErrorCode::unavailable) << "no attempt before 100 ms";
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_TRUE(gate.admit()) << "the next attempt";
  gate.failed(make_error(ErrorCode::unavailable, "refused"));
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(gate.admit()) << "the delay doubled to 200 ms";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(gate.admit());
  gate.connected("here");
  EXPECT_FALSE(gate.down());
  EXPECT_TRUE(gate.admit());
}

}  // namespace
}  // namespace donut::app
