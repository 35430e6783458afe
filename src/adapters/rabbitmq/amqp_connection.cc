#include "adapters/rabbitmq/amqp_connection.h"

#include <amqp_tcp_socket.h>
#include <spdlog/spdlog.h>

namespace donut::rabbitmq {
namespace {

// No AMQP call may wait longer than this for the broker. A paused or overloaded broker (SIGSTOP,
// a network partition, a memory or disk alarm blocking publishers) then shows as `unavailable`
// within seconds instead of holding the calling thread — an HTTP thread of the sales role, a
// consumer — until the broker comes back; the connection is dropped and reopened on next use.
constexpr timeval kBrokerTimeout{5, 0};

// The integer kinds of AMQP field values, each read from its own member and widened to int64
// (a u64 above INT64_MAX wraps; no header this adapter reads comes near).
using FieldValue = decltype(amqp_field_value_t::value);
template <auto member>
int64_t widen(const FieldValue& value) {
  return static_cast<int64_t>(value.*member);
}
struct IntegerKind {
  uint8_t kind;
  int64_t (*read)(const FieldValue&);
};
constexpr IntegerKind kIntegerKinds[] = {
    {AMQP_FIELD_KIND_I8, widen<&FieldValue::i8>},   {AMQP_FIELD_KIND_U8, widen<&FieldValue::u8>},
    {AMQP_FIELD_KIND_I16, widen<&FieldValue::i16>}, {AMQP_FIELD_KIND_U16, widen<&FieldValue::u16>},
    {AMQP_FIELD_KIND_I32, widen<&FieldValue::i32>}, {AMQP_FIELD_KIND_U32, widen<&FieldValue::u32>},
    {AMQP_FIELD_KIND_I64, widen<&FieldValue::i64>}, {AMQP_FIELD_KIND_U64, widen<&FieldValue::u64>},
};

std::optional<int64_t> as_int(const amqp_field_value_t& v) {
  for (const auto& integer : kIntegerKinds) {
    if (integer.kind == v.kind) return integer.read(v.value);
  }
  return std::nullopt;
}

const amqp_field_value_t* find(const amqp_table_t& t, std::string_view key) {
  for (int i = 0; i < t.num_entries; ++i) {
    if (to_string(t.entries[i].key) == key) return &t.entries[i].value;
  }
  return nullptr;
}

}  // namespace

FieldTable& FieldTable::text(std::string key, std::string value) {
  amqp_table_entry_t e{};
  e.key = keep(std::move(key));
  e.value.kind = AMQP_FIELD_KIND_UTF8;
  e.value.value.bytes = keep(std::move(value));
  entries_.push_back(e);
  return *this;
}

FieldTable& FieldTable::number(std::string key, int64_t value) {
  amqp_table_entry_t e{};
  e.key = keep(std::move(key));
  e.value.kind = AMQP_FIELD_KIND_I64;
  e.value.value.i64 = value;
  entries_.push_back(e);
  return *this;
}

amqp_bytes_t FieldTable::keep(std::string s) {
  storage_.push_back(std::move(s));
  return bytes(storage_.back());
}

std::optional<int64_t> table_int(const amqp_table_t& t, std::string_view key) {
  const auto* value = find(t, key);
  return value != nullptr ? as_int(*value) : std::nullopt;
}

std::string table_text(const amqp_table_t& t, std::string_view key) {
  const auto* value = find(t, key);
  if (value == nullptr ||
      (value->kind != AMQP_FIELD_KIND_UTF8 && value->kind != AMQP_FIELD_KIND_BYTES)) {
    return {};
  }
  return to_string(value->value.bytes);
}

Result<std::unique_ptr<AmqpConnection>> AmqpConnection::open(const Settings& s,
                                                             const Settings::Node& node,
                                                             bool confirms) {
  std::unique_ptr<AmqpConnection> a(new AmqpConnection());
  a->conn_ = amqp_new_connection();
  amqp_set_handshake_timeout(a->conn_, &kBrokerTimeout);
  amqp_set_rpc_timeout(a->conn_, &kBrokerTimeout);
  amqp_socket_t* socket = amqp_tcp_socket_new(a->conn_);
  timeval timeout{3, 0};
  if (socket == nullptr ||
      amqp_socket_open_noblock(socket, node.host.c_str(), node.port, &timeout) != AMQP_STATUS_OK) {
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

AmqpConnection::~AmqpConnection() {
  if (socket_open_ && !broken_) {
    amqp_channel_close(conn_, kChannel, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

Status AmqpConnection::check(amqp_rpc_reply_t r, std::string_view what) {
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

Status AmqpConnection::publish(std::string_view exchange, std::string_view routing_key,
                               const std::string& body, FieldTable& headers,
                               const std::string& message_id, int64_t timestamp_ms,
                               const std::string& expiration_ms) {
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
  return wait_for_confirm();
}

Status AmqpConnection::wait_for_confirm() {
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

ClusterConnector::ClusterConnector(Settings settings)
    : settings_(std::move(settings)), gate_("rabbitmq " + settings_.describe_nodes()) {}

Result<std::unique_ptr<AmqpConnection>> ClusterConnector::connect(bool confirms) {
  DONUT_RETURN_IF_ERROR(gate_.admit());
  std::size_t first = 0;
  {
    std::lock_guard lock(mutex_);
    first = preferred_;
  }
  // The node that answered last first, then the others in order: a role moves to a live node
  // of the cluster when its node dies.
  Result<std::unique_ptr<AmqpConnection>> opened =
      make_error(ErrorCode::unavailable, "no RabbitMQ node");
  std::size_t chosen = first;
  for (std::size_t i = 0; i < settings_.nodes.size(); ++i) {
    chosen = (first + i) % settings_.nodes.size();
    opened = AmqpConnection::open(settings_, settings_.nodes[chosen], confirms);
    if (opened) break;
  }
  if (!opened) {
    gate_.failed(opened.error());
    return opened.error();
  }
  const auto& node = settings_.nodes[chosen];
  const std::string where = node.host + ":" + std::to_string(node.port);
  {
    std::lock_guard lock(mutex_);
    if (chosen != preferred_ && !gate_.down()) {
      const auto& old = settings_.nodes[preferred_];
      spdlog::warn("rabbitmq: {}:{} cannot be reached; moved to {}", old.host, old.port, where);
    }
    preferred_ = chosen;
  }
  gate_.connected(where);
  return opened;
}

}  // namespace donut::rabbitmq
