// AMQP 0-9-1 over rabbitmq-c, as the RabbitMQ broker (rabbitmq_broker.h) uses it: one
// connection with one channel, opened to the node of a cluster that answered last.
//
// Promises: no call waits for the broker longer than a few seconds (handshake, RPC and publish
// confirms: 5 s; a paused broker or a blocked publisher shows as `unavailable`, not as a hung
// thread). A connection that failed once is `broken()` and must be replaced; RabbitMQ's refusals
// map to error codes (NOT_FOUND -> not_found, PRECONDITION_FAILED -> conflict, ACCESS_REFUSED
// -> unauthorized, anything else unavailable). A connection is used by one thread at a time;
// the ClusterConnector is shared by every thread of a broker.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <amqp.h>

#include "adapters/rabbitmq/cluster_url.h"
#include "common/error.h"
#include "common/reconnect_gate.h"

namespace donut::rabbitmq {

inline constexpr amqp_channel_t kChannel = 1;

inline amqp_bytes_t bytes(std::string_view text) {
  return {text.size(), const_cast<char*>(text.data())};
}

inline std::string to_string(amqp_bytes_t b) {
  return {static_cast<const char*>(b.bytes), b.len};
}

// Builds AMQP field tables whose strings stay alive as long as the builder.
class FieldTable {
 public:
  FieldTable& text(std::string key, std::string value);
  FieldTable& number(std::string key, int64_t value);
  amqp_table_t get() { return {static_cast<int>(entries_.size()), entries_.data()}; }

 private:
  amqp_bytes_t keep(std::string s);
  std::deque<std::string> storage_;
  std::vector<amqp_table_entry_t> entries_;
};

// A table's entry as a number (any integer kind) or as text (UTF-8 or bytes); absent or of
// another kind: nullopt, empty.
std::optional<int64_t> table_int(const amqp_table_t& table, std::string_view key);
std::string table_text(const amqp_table_t& table, std::string_view key);

// One AMQP connection with channel 1 open.
class AmqpConnection {
 public:
  static Result<std::unique_ptr<AmqpConnection>> open(const Settings& settings,
                                                      const Settings::Node& node, bool confirms);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t conn() { return conn_; }
  bool broken() const { return broken_; }

  // The outcome of an RPC; any failure marks the connection broken.
  Status check(amqp_rpc_reply_t reply, std::string_view what);

  // Publishes persistently and waits for the broker's confirm (the connection must have been
  // opened with `confirms`).
  Status publish(std::string_view exchange, std::string_view routing_key, const std::string& body,
                 FieldTable& headers, const std::string& message_id, int64_t timestamp_ms,
                 const std::string& expiration_ms = "");

 private:
  AmqpConnection() = default;
  Status wait_for_confirm();

  amqp_connection_state_t conn_ = nullptr;
  bool socket_open_ = false;
  bool broken_ = false;
};

// Opens connections to a cluster: the node that answered last first, then the others in order,
// so a role moves to a live node when its node dies; behind one ReconnectGate
// (common/reconnect_gate.h), so while the cluster is away calls fail at once. Thread-safe.
class ClusterConnector {
 public:
  explicit ClusterConnector(Settings settings);

  Result<std::unique_ptr<AmqpConnection>> connect(bool confirms);
  const Settings& settings() const { return settings_; }

 private:
  const Settings settings_;
  ReconnectGate gate_;
  std::mutex mutex_;
  std::size_t preferred_ = 0;  // the node that answered last
};

}  // namespace donut::rabbitmq
