#include "adapters/rabbitmq/rabbitmq_broker.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <memory>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "adapters/rabbitmq/amqp_connection.h"
#include "common/ids.h"

namespace donut::rabbitmq {
namespace {

std::atomic<uint64_t> next_broker_id{1};

// What a message carries, copied out of rabbitmq-c's buffers.
struct Copy {
  std::string body;
  std::string message_id;
  int64_t timestamp_ms = 0;
  ports::Attributes attributes;  // string headers that are not broker bookkeeping
  int64_t delivery_count = 0;    // x-delivery-count (redeliveries by RabbitMQ)
  int64_t retries = 0;           // x-donut-retries (receives before a .retry round trip)
  std::string source_queue;      // x-donut-source-queue or x-first-death-queue
};

Copy copy_message(const amqp_message_t& m) {
  Copy c;
  c.body = to_string(m.body);
  const auto& p = m.properties;
  if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) c.message_id = to_string(p.message_id);
  if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG) c.timestamp_ms = static_cast<int64_t>(p.timestamp);
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    const auto& h = p.headers;
    c.delivery_count = table_int(h, "x-delivery-count").value_or(0);
    c.retries = table_int(h, "x-donut-retries").value_or(0);
    c.source_queue = table_text(h, "x-donut-source-queue");
    if (c.source_queue.empty()) c.source_queue = table_text(h, "x-first-death-queue");
    for (int i = 0; i < h.num_entries; ++i) {
      const auto& e = h.entries[i];
      const auto key = to_string(e.key);
      if (key.rfind("x-", 0) == 0 || e.value.kind != AMQP_FIELD_KIND_UTF8) continue;
      c.attributes.emplace(key, to_string(e.value.value.bytes));
    }
  }
  return c;
}

// The port's view of a message, without what only a receive knows (receipt, receive count).
ports::ReceivedMessage received_message(const Copy& c) {
  ports::ReceivedMessage m;
  m.message_id = c.message_id;
  m.body = c.body;
  m.attributes = c.attributes;
  m.sent_at = from_unix_ms(c.timestamp_ms);
  m.source_queue = c.source_queue;
  return m;
}

FieldTable headers_for(const ports::Attributes& attributes) {
  FieldTable t;
  for (const auto& [key, value] : attributes) t.text(key, value);
  return t;
}

// A message delivered to a consumer and not yet settled.
struct Delivery {
  uint64_t tag = 0;
  Copy message;
};

// One message taken from `queue` with basic.get, unsettled (the caller acks or nacks its tag),
// or nullopt when the queue is empty.
Result<std::optional<Delivery>> get_one(AmqpConnection& amqp, std::string_view queue) {
  auto conn = amqp.conn();
  auto reply = amqp_basic_get(conn, kChannel, bytes(queue), 0);
  DONUT_RETURN_IF_ERROR(amqp.check(reply, "get"));
  if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
  const uint64_t tag = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded)->delivery_tag;
  amqp_message_t message;
  DONUT_RETURN_IF_ERROR(amqp.check(amqp_read_message(conn, kChannel, &message, 0), "read"));
  Delivery d{tag, copy_message(message)};
  amqp_destroy_message(&message);
  return d;
}

struct Unsettled {
  TimePoint received;  // by the broker's clock
  Copy message;
  int receive_count = 0;
};

// How long the next wait for a delivery may be: while nothing was received, what is left of
// the long poll in slices of at most 200 ms (so a stop is noticed); once something was, 1 ms
// (take what is already there, wait for nothing more).
timeval wait_slice(bool received_some, std::chrono::steady_clock::time_point deadline) {
  using std::chrono::microseconds;
  const auto left =
      std::chrono::duration_cast<microseconds>(deadline - std::chrono::steady_clock::now());
  const auto slice = received_some ? microseconds(1000)
                                   : std::clamp(left, microseconds(1000), microseconds(200'000));
  return {static_cast<time_t>(slice.count() / 1'000'000),
          static_cast<suseconds_t>(slice.count() % 1'000'000)};
}

}  // namespace

// One queue's consumer on this thread: its connection and what it holds unsettled.
struct RabbitBroker::Consumer {
  std::unique_ptr<AmqpConnection> amqp;
  std::unordered_map<uint64_t, Unsettled> unsettled;  // by delivery tag

  // What this consumer left unsettled past the visibility timeout goes back to the queue.
  void return_expired(TimePoint now, Millis visibility) {
    for (auto it = unsettled.begin(); it != unsettled.end();) {
      if (now - it->second.received >= visibility) {
        amqp_basic_nack(amqp->conn(), kChannel, it->first, 0, 1);
        it = unsettled.erase(it);
      } else {
        ++it;
      }
    }
  }

  // The next delivery within `wait`, or nullopt when none came.
  Result<std::optional<Delivery>> next_delivery(timeval wait) {
    auto conn = amqp->conn();
    amqp_envelope_t envelope;
    amqp_maybe_release_buffers(conn);
    const auto reply = amqp_consume_message(conn, &envelope, &wait, 0);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      return std::nullopt;
    }
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      DONUT_RETURN_IF_ERROR(amqp->check(reply, "consume"));
    }
    Delivery d{envelope.delivery_tag, copy_message(envelope.message)};
    amqp_destroy_envelope(&envelope);
    return d;
  }

  // Keeps `d` unsettled until it is deleted, its visibility changed, or it expires.
  ports::ReceivedMessage hold(Delivery d, int receive_count, TimePoint now) {
    ports::ReceivedMessage m = received_message(d.message);
    m.receipt = std::to_string(d.tag);
    m.receive_count = receive_count;
    unsettled.emplace(d.tag, Unsettled{now, std::move(d.message), receive_count});
    return m;
  }
};

struct RabbitBroker::Session {
  std::unique_ptr<AmqpConnection> publisher;
  std::map<std::string, Consumer, std::less<>> consumers;  // by queue
};

namespace {

thread_local std::unordered_map<uint64_t, std::unique_ptr<RabbitBroker::Session>> sessions;

}  // namespace

RabbitBroker::RabbitBroker(Settings settings, const ports::Clock& clock)
    : cluster_(std::make_unique<ClusterConnector>(std::move(settings))),
      clock_(clock),
      id_(next_broker_id++) {}

RabbitBroker::~RabbitBroker() {
  sessions.erase(id_);
}

Result<RabbitBroker::Session*> RabbitBroker::session() {
  auto& s = sessions[id_];
  if (!s) s = std::make_unique<Session>();
  if (!s->publisher || s->publisher->broken()) {
    s->publisher.reset();
    DONUT_ASSIGN_OR_RETURN(s->publisher, cluster_->connect(true));
  }
  return s.get();
}

Result<RabbitBroker::Consumer*> RabbitBroker::consumer(Session& s, std::string_view queue,
                                                       int prefetch) {
  auto& consumer = s.consumers[std::string(queue)];
  if (consumer.amqp && !consumer.amqp->broken()) return &consumer;
  consumer = Consumer{};
  DONUT_ASSIGN_OR_RETURN(consumer.amqp, cluster_->connect(false));
  auto conn = consumer.amqp->conn();
  amqp_basic_qos(conn, kChannel, 0, static_cast<uint16_t>(std::max(1, prefetch)), 0);
  DONUT_RETURN_IF_ERROR(consumer.amqp->check(amqp_get_rpc_reply(conn), "qos"));
  amqp_basic_consume(conn, kChannel, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
  DONUT_RETURN_IF_ERROR(consumer.amqp->check(amqp_get_rpc_reply(conn), "consume"));
  return &consumer;
}

int64_t RabbitBroker::now_ms() const {
  return to_unix_ms(clock_.now());
}

Status RabbitBroker::ping() {
  DONUT_RETURN_IF_ERROR(session());  // a publisher connection is open, or can be opened now
  return ok();
}

ports::QueueSpec RabbitBroker::spec_of(std::string_view queue) {
  std::lock_guard lock(specs_mutex_);
  auto it = specs_.find(queue);
  if (it != specs_.end()) return it->second;
  ports::QueueSpec spec;
  spec.name = std::string(queue);
  return spec;
}

Status RabbitBroker::declare(const ports::Topology& topology) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto conn = s->publisher->conn();
  for (const auto& q : topology.queues) {
    FieldTable args;
    args.text("x-queue-type", "quorum");
    if (!q.dead_letter_queue.empty()) {
      args.number("x-delivery-limit", std::max(0, q.max_receive_count - 1))
          .text("x-dead-letter-exchange", "")
          .text("x-dead-letter-routing-key", q.dead_letter_queue)
          .text("x-dead-letter-strategy", "at-least-once")
          .text("x-overflow", "reject-publish");
    }
    amqp_queue_declare(conn, kChannel, bytes(q.name), 0, 1, 0, 0, args.get());
    if (auto declared = s->publisher->check(amqp_get_rpc_reply(conn), "declare " + q.name);
        !declared) {
      if (declared.error().code != ErrorCode::conflict) return declared;
      // A queue's arguments cannot change once it exists, and RabbitMQ closes the channel when
      // asked to. Use the queue as it is: this adapter counts receives itself, so the new
      // max_receive_count still applies; only RabbitMQ's own limit for deliveries cut short by
      // a crash stays what the queue was created with.
      spdlog::warn(
          "{}; using the queue as it is. To change its delivery limit, drain and "
          "delete it; the next role to start creates it anew",
          declared.error().message);
      DONUT_ASSIGN_OR_RETURN(s, session());
      conn = s->publisher->conn();
      amqp_queue_declare(conn, kChannel, bytes(q.name), 1, 0, 0, 0, amqp_empty_table);
      DONUT_RETURN_IF_ERROR(s->publisher->check(amqp_get_rpc_reply(conn), "declare " + q.name));
    }
    FieldTable retry_args;
    retry_args.text("x-dead-letter-exchange", "").text("x-dead-letter-routing-key", q.name);
    amqp_queue_declare(conn, kChannel, bytes(q.name + ".retry"), 0, 1, 0, 0, retry_args.get());
    DONUT_RETURN_IF_ERROR(
        s->publisher->check(amqp_get_rpc_reply(conn), "declare " + q.name + ".retry"));
    std::lock_guard lock(specs_mutex_);
    specs_[q.name] = q;
  }
  for (const auto& sub : topology.subscriptions) {
    amqp_exchange_declare(conn, kChannel, bytes(sub.topic), amqp_cstring_bytes("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    DONUT_RETURN_IF_ERROR(
        s->publisher->check(amqp_get_rpc_reply(conn), "declare exchange " + sub.topic));
    std::vector<std::string> keys = sub.types.empty() ? std::vector<std::string>{"#"} : sub.types;
    for (const auto& key : keys) {
      amqp_queue_bind(conn, kChannel, bytes(sub.queue), bytes(sub.topic), bytes(key),
                      amqp_empty_table);
      DONUT_RETURN_IF_ERROR(s->publisher->check(amqp_get_rpc_reply(conn), "bind " + sub.queue));
    }
  }
  return ok();
}

Status RabbitBroker::publish(std::string_view topic, const ports::OutgoingMessage& message) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto type = message.attributes.find("type");
  auto headers = headers_for(message.attributes);
  return s->publisher->publish(topic, type == message.attributes.end() ? "untyped" : type->second,
                               message.body, headers, new_id(), now_ms());
}

Status RabbitBroker::send(std::string_view queue, const ports::OutgoingMessage& message) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto headers = headers_for(message.attributes);
  if (message.delay.count() > 0) {
    return s->publisher->publish("", std::string(queue) + ".retry", message.body, headers, new_id(),
                                 now_ms(), std::to_string(message.delay.count()));
  }
  // A passive declare first: the default exchange drops messages for unknown queues silently.
  amqp_queue_declare(s->publisher->conn(), kChannel, bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  DONUT_RETURN_IF_ERROR(s->publisher->check(amqp_get_rpc_reply(s->publisher->conn()), "queue"));
  return s->publisher->publish("", queue, message.body, headers, new_id(), now_ms());
}

Result<std::vector<ports::ReceivedMessage>> RabbitBroker::receive(
    std::string_view queue, const ports::ReceiveOptions& options, std::stop_token stop) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  const auto spec = spec_of(queue);
  DONUT_ASSIGN_OR_RETURN(Consumer * consumer, consumer(*s, queue, options.max_messages));
  consumer->return_expired(clock_.now(),
                           options.visibility_timeout.value_or(spec.visibility_timeout));
  std::vector<ports::ReceivedMessage> out;
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  while (static_cast<int>(out.size()) < std::max(1, options.max_messages)) {
    auto delivery = consumer->next_delivery(wait_slice(!out.empty(), deadline));
    if (!delivery) {
      *consumer = Consumer{};
      if (!out.empty()) break;
      return delivery.error();
    }
    if (!*delivery) {
      if (!out.empty() || stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
        break;
      }
      continue;
    }
    Delivery& d = **delivery;
    const auto receive_count = static_cast<int>(d.message.delivery_count + 1 + d.message.retries);
    if (!spec.dead_letter_queue.empty() && receive_count > spec.max_receive_count) {
      FieldTable headers = headers_for(d.message.attributes);
      headers.text("x-donut-source-queue", std::string(queue));
      DONUT_RETURN_IF_ERROR(s->publisher->publish("", spec.dead_letter_queue, d.message.body,
                                                  headers, d.message.message_id,
                                                  d.message.timestamp_ms));
      amqp_basic_ack(consumer->amqp->conn(), kChannel, d.tag, 0);
      continue;
    }
    out.push_back(consumer->hold(std::move(d), receive_count, clock_.now()));
  }
  return out;
}

namespace {

std::optional<uint64_t> parse_tag(std::string_view receipt) {
  uint64_t tag = 0;
  const auto [end, ec] = std::from_chars(receipt.data(), receipt.data() + receipt.size(), tag);
  if (ec != std::errc() || end != receipt.data() + receipt.size()) return std::nullopt;
  return tag;
}

}  // namespace

Status RabbitBroker::delete_message(std::string_view queue, std::string_view receipt) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto it = s->consumers.find(queue);
  const auto tag = parse_tag(receipt);
  if (it == s->consumers.end() || !tag || !it->second.unsettled.contains(*tag))
    return ok();  // stale
  it->second.unsettled.erase(*tag);
  if (amqp_basic_ack(it->second.amqp->conn(), kChannel, *tag, 0) != AMQP_STATUS_OK) {
    return make_error(ErrorCode::unavailable, "rabbitmq ack failed (the message will come back)");
  }
  return ok();
}

Status RabbitBroker::change_visibility(std::string_view queue, std::string_view receipt,
                                       Millis timeout) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto it = s->consumers.find(queue);
  const auto tag = parse_tag(receipt);
  if (it == s->consumers.end() || !tag || !it->second.unsettled.contains(*tag)) {
    return make_error(ErrorCode::not_found,
                      "receipt is no longer valid (message settled or redelivered)");
  }
  auto& consumer = it->second;
  auto node = consumer.unsettled.extract(*tag);
  if (timeout.count() == 0) {
    amqp_basic_nack(consumer.amqp->conn(), kChannel, *tag, 0, 1);
    return ok();
  }
  // Wait in <queue>.retry (per-message TTL), then come back; the receives so far travel along.
  auto& m = node.mapped();
  FieldTable headers = headers_for(m.message.attributes);
  headers.number("x-donut-retries", m.receive_count);
  if (!m.message.source_queue.empty()) headers.text("x-donut-source-queue", m.message.source_queue);
  if (auto status = s->publisher->publish("", std::string(queue) + ".retry", m.message.body,
                                          headers, m.message.message_id, m.message.timestamp_ms,
                                          std::to_string(timeout.count()));
      !status) {
    amqp_basic_nack(consumer.amqp->conn(), kChannel, *tag, 0, 1);
    return status;
  }
  amqp_basic_ack(consumer.amqp->conn(), kChannel, *tag, 0);
  return ok();
}

Result<ports::QueueStats> RabbitBroker::stats(std::string_view queue) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto conn = s->publisher->conn();
  ports::QueueStats stats;
  stats.queue = std::string(queue);
  stats.dead_letter_queue = spec_of(queue).dead_letter_queue;
  auto* ok = amqp_queue_declare(conn, kChannel, bytes(queue), 1, 0, 0, 0, amqp_empty_table);
  DONUT_RETURN_IF_ERROR(
      s->publisher->check(amqp_get_rpc_reply(conn), "queue " + std::string(queue)));
  stats.visible = ok->message_count;
  auto* retry = amqp_queue_declare(conn, kChannel, bytes(std::string(queue) + ".retry"), 1, 0, 0, 0,
                                   amqp_empty_table);
  if (s->publisher->check(amqp_get_rpc_reply(conn), "retry queue"))
    stats.delayed = retry->message_count;
  return stats;
}

Result<std::vector<ports::ReceivedMessage>> RabbitBroker::peek(std::string_view queue, int max) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto conn = s->publisher->conn();
  std::vector<ports::ReceivedMessage> out;
  uint64_t last_tag = 0;
  while (static_cast<int>(out.size()) < max) {
    DONUT_ASSIGN_OR_RETURN(auto delivery, get_one(*s->publisher, queue));
    if (!delivery) break;
    last_tag = delivery->tag;
    out.push_back(received_message(delivery->message));
  }
  if (last_tag != 0) amqp_basic_nack(conn, kChannel, last_tag, 1, 1);  // all back, in order
  return out;
}

Result<int64_t> RabbitBroker::redrive(std::string_view dead_letter_queue, int64_t max) {
  {
    std::lock_guard lock(specs_mutex_);
    const bool is_dead_letter_queue = std::any_of(specs_.begin(), specs_.end(), [&](auto& q) {
      return q.second.dead_letter_queue == dead_letter_queue;
    });
    if (!is_dead_letter_queue) return ports::no_source_queue(dead_letter_queue);
  }
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto conn = s->publisher->conn();
  int64_t moved = 0;
  int empty_looks = 0;
  while (moved < max) {
    DONUT_ASSIGN_OR_RETURN(auto delivery, get_one(*s->publisher, dead_letter_queue));
    if (!delivery) {
      // A peek elsewhere (the dead-letter monitor, `donut dlq list`) holds messages
      // unacknowledged for a moment; before reporting that nothing was there, look again.
      if (moved > 0 || ++empty_looks > 5) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const auto& [tag, c] = *delivery;
    if (c.source_queue.empty()) {
      amqp_basic_nack(conn, kChannel, tag, 0, 1);
      return make_error(ErrorCode::internal, "a dead letter does not name its source queue");
    }
    FieldTable headers = headers_for(c.attributes);
    DONUT_RETURN_IF_ERROR(
        s->publisher->publish("", c.source_queue, c.body, headers, c.message_id, c.timestamp_ms));
    amqp_basic_ack(conn, kChannel, tag, 0);
    ++moved;
  }
  return moved;
}

Result<int64_t> RabbitBroker::purge(std::string_view queue) {
  DONUT_ASSIGN_OR_RETURN(Session * s, session());
  auto conn = s->publisher->conn();
  auto* ok = amqp_queue_purge(conn, kChannel, bytes(queue));
  DONUT_RETURN_IF_ERROR(s->publisher->check(amqp_get_rpc_reply(conn), "purge"));
  return static_cast<int64_t>(ok->message_count);
}

}  // namespace donut::rabbitmq
