#include "adapters/rabbitmq/rabbitmq_broker.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <deque>
#include <memory>
#include <thread>
#include <unordered_map>

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/reconnect_gate.h"

namespace donut::rabbitmq {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr amqp_channel_t kChannel = 1;
// No AMQP call may wait longer than this for the broker. A paused or overloaded broker (SIGSTOP,
// a network partition, a memory or disk alarm blocking publishers) then shows as `unavailable`
// within seconds instead of holding the calling thread — an HTTP thread of the sales role, a
// consumer — until the broker comes back; the connection is dropped and reopened on next use.
constexpr timeval kBrokerTimeout{5, 0};
std::atomic<uint64_t> next_broker_id{1};

amqp_bytes_t bytes(std::string_view text) {
  return {text.size(), const_cast<char*>(text.data())};
}

std::string to_string(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.len};
}

// Builds AMQP field tables whose strings stay alive as long as the builder.
class Table {
 public:
  Table& text(std::string key, std::string value) {
    amqp_table_entry_t e{};
    e.key = keep(std::move(key));
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = keep(std::move(value));
    entries_.push_back(e);
    return *this;
  }
  Table& number(std::string key, int64_t value) {
    amqp_table_entry_t e{};
    e.key = keep(std::move(key));
    e.value.kind = AMQP_FIELD_KIND_I64;
    e.value.value.i64 = value;
    entries_.push_back(e);
    return *this;
  }
  amqp_table_t get() { return {static_cast<int>(entries_.size()), entries_.data()}; }

 private:
  amqp_bytes_t keep(std::string s) {
    storage_.push_back(std::move(s));
    return bytes(storage_.back());
  }
  std::deque<std::string> storage_;
  std::vector<amqp_table_entry_t> entries_;
};

std::optional<int64_t> table_int(const amqp_table_t& t, std::string_view key) {
  for (int i = 0; i < t.num_entries; ++i) {
    const auto& e = t.entries[i];
    if (to_string(e.key) != key) continue;
    switch (e.value.kind) {
      case AMQP_FIELD_KIND_I8:
        return e.value.value.i8;
      case AMQP_FIELD_KIND_U8:
        return e.value.value.u8;
      case AMQP_FIELD_KIND_I16:
        return e.value.value.i16;
      case AMQP_FIELD_KIND_U16:
        return e.value.value.u16;
      case AMQP_FIELD_KIND_I32:
        return e.value.value.i32;
      case AMQP_FIELD_KIND_U32:
        return e.value.value.u32;
      case AMQP_FIELD_KIND_I64:
        return e.value.value.i64;
      case AMQP_FIELD_KIND_U64:
        return static_cast<int64_t>(e.value.value.u64);
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

std::string table_text(const amqp_table_t& t, std::string_view key) {
  for (int i = 0; i < t.num_entries; ++i) {
    const auto& e = t.entries[i];
    if (to_string(e.key) == key &&
        (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES)) {
      return to_string(e.value.value.bytes);
    }
  }
  return {};
}

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

// One AMQP connection with channel 1 open.
class Amqp {
 public:
  static Result<std::unique_ptr<Amqp>> open(const Settings& s, const Settings::Node& node,
                                            bool confirms) {
    std::unique_ptr<Amqp> a(new Amqp());
    a->conn_ = amqp_new_connection();
    amqp_set_handshake_timeout(a->conn_, &kBrokerTimeout);
    amqp_set_rpc_timeout(a->conn_, &kBrokerTimeout);
    amqp_socket_t* socket = amqp_tcp_socket_new(a->conn_);
    timeval timeout{3, 0};
    if (socket == nullptr || amqp_socket_open_noblock(socket, node.host.c_str(), node.port,
                                                      &timeout) != AMQP_STATUS_OK) {
      return make_error(ErrorCode::unavailable, "cannot connect to RabbitMQ at " + node.host + ":" +
                                                    std::to_string(node.port));
    }
    a->socket_open_ = true;
    DONUT_RETURN_IF_ERROR(
        a->check(amqp_login(a->conn_, s.vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                            s.user.c_str(), s.password.c_str()),
                 "login"));
    amqp_channel_open(a->conn_, kChannel);
    DONUT_RETURN_IF_ERROR(a->check(amqp_get_rpc_reply(a->conn_), "channel open"));
    if (confirms) {
      amqp_confirm_select(a->conn_, kChannel);
      DONUT_RETURN_IF_ERROR(a->check(amqp_get_rpc_reply(a->conn_), "confirm select"));
    }
    return a;
  }
  ~Amqp() {
    if (socket_open_ && !broken_) {
      amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
      amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(conn_);
  }

  amqp_connection_state_t conn() { return conn_; }
  bool broken() const { return broken_; }

  Status check(amqp_rpc_reply_t r, std::string_view what) {
    switch (r.reply_type) {
      case AMQP_RESPONSE_NORMAL:
        return ok();
      case AMQP_RESPONSE_NONE:
        broken_ = true;
        return make_error(ErrorCode::unavailable, "rabbitmq " + std::string(what) + ": no reply");
      case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        broken_ = true;
        return make_error(ErrorCode::unavailable, "rabbitmq " + std::string(what) + ": " +
                                                      amqp_error_string2(r.library_error));
      case AMQP_RESPONSE_SERVER_EXCEPTION: {
        broken_ = true;  // the server closed the channel or the connection
        uint16_t code = 0;
        std::string text;
        if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
          auto* m = static_cast<amqp_channel_close_t*>(r.reply.decoded);
          code = m->reply_code;
          text = to_string(m->reply_text);
        } else if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
          auto* m = static_cast<amqp_connection_close_t*>(r.reply.decoded);
          code = m->reply_code;
          text = to_string(m->reply_text);
        }
        const ErrorCode mapped = code == AMQP_NOT_FOUND             ? ErrorCode::not_found
                                 : code == AMQP_PRECONDITION_FAILED ? ErrorCode::conflict
                                 : code == AMQP_ACCESS_REFUSED      ? ErrorCode::unauthorized
                                                                    : ErrorCode::unavailable;
        return make_error(mapped, "rabbitmq " + std::string(what) + ": " + text);
      }
    }
    return ok();
  }

  // Publishes persistently and waits for the broker's confirm.
  Status publish(std::string_view exchange, std::string_view routing_key, const std::string& body,
                 Table& headers, const std::string& message_id, int64_t timestamp_ms,
                 const std::string& expiration_ms = "") {
    amqp_basic_properties_t p{};
    p._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
               AMQP_BASIC_HEADERS_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TIMESTAMP_FLAG;
    p.content_type = amqp_cstring_bytes("application/json");
    p.delivery_mode = 2;
    p.headers = headers.get();
    p.message_id = bytes(message_id);
    p.timestamp = static_cast<uint64_t>(timestamp_ms);
    if (!expiration_ms.empty()) {
      p._flags |= AMQP_BASIC_EXPIRATION_FLAG;
      p.expiration = bytes(expiration_ms);
    }
    if (amqp_basic_publish(conn_, kChannel, bytes(exchange), bytes(routing_key), 0, 0, &p,
                           bytes(body)) != AMQP_STATUS_OK) {
      broken_ = true;
      return make_error(ErrorCode::unavailable, "rabbitmq publish failed");
    }
    for (;;) {
      amqp_frame_t frame;
      timeval timeout = kBrokerTimeout;
      const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &timeout);
      if (rc != AMQP_STATUS_OK) {
        broken_ = true;
        return make_error(ErrorCode::unavailable, "rabbitmq publish: no confirm");
      }
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;
      if (frame.payload.method.id == AMQP_BASIC_ACK_METHOD) return ok();
      if (frame.payload.method.id == AMQP_BASIC_NACK_METHOD) {
        return make_error(ErrorCode::unavailable, "rabbitmq refused the message (queue full?)");
      }
      if (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD) {
        broken_ = true;
        auto* m = static_cast<amqp_channel_close_t*>(frame.payload.method.decoded);
        return make_error(
            m->reply_code == AMQP_NOT_FOUND ? ErrorCode::not_found : ErrorCode::unavailable,
            "rabbitmq publish: " + to_string(m->reply_text));
      }
    }
  }

 private:
  Amqp() = default;
  amqp_connection_state_t conn_ = nullptr;
  bool socket_open_ = false;
  bool broken_ = false;
};

struct Unsettled {
  SteadyClock::time_point received;
  Copy message;
  int receive_count = 0;
};

struct Consumer {
  std::unique_ptr<Amqp> amqp;
  std::unordered_map<uint64_t, Unsettled> unsettled;  // by delivery tag
};

}  // namespace

// Which node answered last, and the gate in front of reconnecting (common/reconnect_gate.h).
struct Reconnect {
  explicit Reconnect(const Settings& settings) : gate("rabbitmq " + settings.describe_nodes()) {}
  ReconnectGate gate;
  std::mutex mutex;
  std::size_t preferred = 0;
};

namespace {

Result<std::unique_ptr<Amqp>> connect(const Settings& settings, Reconnect& r, bool confirms) {
  DONUT_RETURN_IF_ERROR(r.gate.admit());
  std::size_t first = 0;
  {
    std::lock_guard lock(r.mutex);
    first = r.preferred;
  }
  // The node that answered last first, then the others in order: a role moves to a live node
  // of the cluster when its node dies.
  Result<std::unique_ptr<Amqp>> opened = make_error(ErrorCode::unavailable, "no RabbitMQ node");
  std::size_t chosen = first;
  for (std::size_t i = 0; i < settings.nodes.size(); ++i) {
    chosen = (first + i) % settings.nodes.size();
    opened = Amqp::open(settings, settings.nodes[chosen], confirms);
    if (opened) break;
  }
  if (!opened) {
    r.gate.failed(opened.error());
    return opened.error();
  }
  const auto& node = settings.nodes[chosen];
  const std::string where = node.host + ":" + std::to_string(node.port);
  {
    std::lock_guard lock(r.mutex);
    if (chosen != r.preferred && !r.gate.down()) {
      const auto& old = settings.nodes[r.preferred];
      spdlog::warn("rabbitmq: {}:{} cannot be reached; moved to {}", old.host, old.port, where);
    }
    r.preferred = chosen;
  }
  r.gate.connected(where);
  return opened;
}

}  // namespace

struct RabbitBroker::Session {
  std::unique_ptr<Amqp> publisher;
  std::map<std::string, Consumer, std::less<>> consumers;  // by queue
};

namespace {

thread_local std::unordered_map<uint64_t, std::unique_ptr<RabbitBroker::Session>> sessions;

}  // namespace

Result<Settings> Settings::from_url(std::string_view text) {
  const auto fail = [] {
    return make_error(ErrorCode::invalid_argument,
                      "expected amqp://user:password@host:port[,host:port...]/vhost");
  };
  // Several nodes share the credentials and the vhost: parse the URL with its first node, then
  // each node as the authority of its own URL.
  constexpr std::string_view kScheme = "amqp://";
  if (!text.starts_with(kScheme)) return fail();
  const auto rest = text.substr(kScheme.size());
  const auto authority_end = std::min(rest.find('/'), rest.size());
  const auto authority = rest.substr(0, authority_end);
  const auto at = authority.rfind('@');
  const auto userinfo =
      at == std::string_view::npos ? std::string_view{} : authority.substr(0, at + 1);
  const auto hosts = at == std::string_view::npos ? authority : authority.substr(at + 1);
  std::vector<std::string_view> listed;
  for (std::size_t start = 0;;) {
    const auto comma = hosts.find(',', start);
    listed.push_back(hosts.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  Settings s;
  s.nodes.clear();
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const std::string one = std::string(kScheme) + std::string(userinfo) + std::string(listed[i]) +
                            std::string(rest.substr(authority_end));
    auto url = boost::urls::parse_uri(one);
    if (!url || url->scheme() != "amqp" || (listed.size() > 1 && url->host().empty())) {
      return fail();
    }
    if (i == 0) {
      if (url->has_userinfo()) {
        s.user = url->user();
        s.password = url->password();
      }
      std::string path = url->path();
      if (path.size() > 1) s.vhost = path.substr(1);
    }
    Node node;
    if (!url->host().empty()) node.host = url->host();
    if (url->has_port()) node.port = url->port_number();
    s.nodes.push_back(std::move(node));
  }
  return s;
}

std::string Settings::describe_nodes() const {
  std::string text;
  for (const auto& node : nodes) {
    if (!text.empty()) text += ',';
    text += node.host + ":" + std::to_string(node.port);
  }
  return text;
}

RabbitBroker::RabbitBroker(Settings settings)
    : settings_(std::move(settings)),
      reconnect_(std::make_unique<Reconnect>(settings_)),
      id_(next_broker_id++) {}

RabbitBroker::~RabbitBroker() {
  sessions.erase(id_);
}

Result<RabbitBroker::Session*> RabbitBroker::session() {
  auto& s = sessions[id_];
  if (!s) s = std::make_unique<Session>();
  if (!s->publisher || s->publisher->broken()) {
    s->publisher.reset();
    DONUT_ASSIGN_OR_RETURN(s->publisher, connect(settings_, *reconnect_, true));
  }
  return s.get();
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
    Table args;
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
    Table retry_args;
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

namespace {

Table headers_for(const ports::Attributes& attributes) {
  Table t;
  for (const auto& [key, value] : attributes) t.text(key, value);
  return t;
}

int64_t now_ms() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

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
  auto& consumer = s->consumers[std::string(queue)];
  if (!consumer.amqp || consumer.amqp->broken()) {
    consumer = Consumer{};
    DONUT_ASSIGN_OR_RETURN(consumer.amqp, connect(settings_, *reconnect_, false));
    auto conn = consumer.amqp->conn();
    amqp_basic_qos(conn, kChannel, 0, static_cast<uint16_t>(std::max(1, options.max_messages)), 0);
    DONUT_RETURN_IF_ERROR(consumer.amqp->check(amqp_get_rpc_reply(conn), "qos"));
    amqp_basic_consume(conn, kChannel, bytes(queue), amqp_empty_bytes, 0, 0, 0, amqp_empty_table);
    DONUT_RETURN_IF_ERROR(consumer.amqp->check(amqp_get_rpc_reply(conn), "consume"));
  }
  auto conn = consumer.amqp->conn();
  // What this consumer left unsettled past the visibility timeout goes back to the queue.
  const Millis visibility = options.visibility_timeout.value_or(spec.visibility_timeout);
  for (auto it = consumer.unsettled.begin(); it != consumer.unsettled.end();) {
    if (SteadyClock::now() - it->second.received >= visibility) {
      amqp_basic_nack(conn, kChannel, it->first, 0, 1);
      it = consumer.unsettled.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<ports::ReceivedMessage> out;
  const auto deadline = SteadyClock::now() + options.wait;
  while (static_cast<int>(out.size()) < std::max(1, options.max_messages)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now());
    const auto slice = out.empty() ? std::clamp(left, std::chrono::microseconds(1000),
                                                std::chrono::microseconds(200'000))
                                   : std::chrono::microseconds(1000);
    timeval timeout{static_cast<time_t>(slice.count() / 1'000'000),
                    static_cast<suseconds_t>(slice.count() % 1'000'000)};
    amqp_envelope_t envelope;
    amqp_maybe_release_buffers(conn);
    const auto reply = amqp_consume_message(conn, &envelope, &timeout, 0);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      if (!out.empty() || stop.stop_requested() || SteadyClock::now() >= deadline) break;
      continue;
    }
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      auto status = consumer.amqp->check(reply, "consume");
      consumer = Consumer{};
      if (!out.empty()) break;
      return status.error();
    }
    Unsettled u{SteadyClock::now(), copy_message(envelope.message), 0};
    const uint64_t tag = envelope.delivery_tag;
    amqp_destroy_envelope(&envelope);
    u.receive_count = static_cast<int>(u.message.delivery_count + 1 + u.message.retries);
    if (!spec.dead_letter_queue.empty() && u.receive_count > spec.max_receive_count) {
      Table headers = headers_for(u.message.attributes);
      headers.text("x-donut-source-queue", std::string(queue));
      DONUT_RETURN_IF_ERROR(s->publisher->publish("", spec.dead_letter_queue, u.message.body,
                                                  headers, u.message.message_id,
                                                  u.message.timestamp_ms));
      amqp_basic_ack(conn, kChannel, tag, 0);
      continue;
    }
    ports::ReceivedMessage m;
    m.message_id = u.message.message_id;
    m.receipt = std::to_string(tag);
    m.body = u.message.body;
    m.attributes = u.message.attributes;
    m.receive_count = u.receive_count;
    m.sent_at = from_unix_ms(u.message.timestamp_ms);
    m.source_queue = u.message.source_queue;
    consumer.unsettled.emplace(tag, std::move(u));
    out.push_back(std::move(m));
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
  Table headers = headers_for(m.message.attributes);
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
    auto reply = amqp_basic_get(conn, kChannel, bytes(queue), 0);
    DONUT_RETURN_IF_ERROR(s->publisher->check(reply, "get"));
    if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) break;
    last_tag = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded)->delivery_tag;
    amqp_message_t message;
    DONUT_RETURN_IF_ERROR(
        s->publisher->check(amqp_read_message(conn, kChannel, &message, 0), "read"));
    auto c = copy_message(message);
    amqp_destroy_message(&message);
    ports::ReceivedMessage m;
    m.message_id = c.message_id;
    m.body = c.body;
    m.attributes = c.attributes;
    m.sent_at = from_unix_ms(c.timestamp_ms);
    m.source_queue = c.source_queue;
    out.push_back(std::move(m));
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
    auto reply = amqp_basic_get(conn, kChannel, bytes(dead_letter_queue), 0);
    DONUT_RETURN_IF_ERROR(s->publisher->check(reply, "get"));
    if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
      // A peek elsewhere (the dead-letter monitor, `donut dlq list`) holds messages
      // unacknowledged for a moment; before reporting that nothing was there, look again.
      if (moved > 0 || ++empty_looks > 5) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    const uint64_t tag = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded)->delivery_tag;
    amqp_message_t message;
    DONUT_RETURN_IF_ERROR(
        s->publisher->check(amqp_read_message(conn, kChannel, &message, 0), "read"));
    auto c = copy_message(message);
    amqp_destroy_message(&message);
    if (c.source_queue.empty()) {
      amqp_basic_nack(conn, kChannel, tag, 0, 1);
      return make_error(ErrorCode::internal, "a dead letter does not name its source queue");
    }
    Table headers = headers_for(c.attributes);
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
