#include "adapters/sqlite/sqlite_broker.h"

#include <algorithm>
#include <sstream>

#include "codec/attributes_json.h"
#include "common/ids.h"

namespace donut::sqlite {
namespace {

struct QueueConfig {
  Millis visibility_timeout{0};
  Millis retention{0};
  std::string dead_letter_queue;
  int max_receive_count = 0;
};

Result<QueueConfig> load_queue(Connection& c, std::string_view name) {
  DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT visibility_timeout_ms, retention_ms, "
                                           "dead_letter_queue, max_receive_count "
                                           "FROM broker_queues WHERE name = ?"));
  s.bind(1, name);
  DONUT_ASSIGN_OR_RETURN(bool row, s.step());
  if (!row) return make_error(ErrorCode::not_found, "no queue '" + std::string(name) + "'");
  return QueueConfig{Millis(s.column_int(0)), Millis(s.column_int(1)), s.column_text(2),
                     static_cast<int>(s.column_int(3))};
}

Status insert_message(Connection& c, std::string_view queue, const QueueConfig& config,
                      const ports::OutgoingMessage& message, TimePoint now) {
  DONUT_ASSIGN_OR_RETURN(
      auto s, c.prepare("INSERT INTO broker_messages (message_id, queue, body, attributes, "
                        "sent_at_ms, visible_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)"));
  s.bind(1, new_id())
      .bind(2, queue)
      .bind(3, message.body)
      .bind(4, codec::encode_attributes(message.attributes))
      .bind(5, to_unix_ms(now))
      .bind(6, to_unix_ms(now + message.delay))
      .bind(7, to_unix_ms(now + config.retention));
  if (!s.run()) return c.error("send");
  return ok();
}

std::vector<std::string> split_types(std::string_view text) {
  std::vector<std::string> types;
  std::string item;
  std::istringstream in{std::string(text)};
  while (std::getline(in, item, ',')) {
    if (!item.empty()) types.push_back(item);
  }
  return types;
}

std::string join_types(const std::vector<std::string>& types) {
  std::string out;
  for (const auto& t : types) {
    if (!out.empty()) out += ',';
    out += t;
  }
  return out;
}

}  // namespace

SqliteBroker::SqliteBroker(std::shared_ptr<Database> db, const ports::Clock& clock, Options options)
    : db_(std::move(db)), clock_(clock), options_(options) {}

void SqliteBroker::wake_receivers() {
  {
    std::lock_guard lock(wake_mutex_);
    ++generation_;
  }
  wake_.notify_all();
}

Status SqliteBroker::declare(const ports::Topology& topology) {
  return db_->transaction<void>([&](Connection& c) -> Status {
    for (const auto& q : topology.queues) {
      DONUT_ASSIGN_OR_RETURN(auto s,
                             c.prepare("INSERT INTO broker_queues (name, visibility_timeout_ms, "
                                       "retention_ms, dead_letter_queue, max_receive_count) "
                                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                                       "visibility_timeout_ms = excluded.visibility_timeout_ms, "
                                       "retention_ms = excluded.retention_ms, "
                                       "dead_letter_queue = excluded.dead_letter_queue, "
                                       "max_receive_count = excluded.max_receive_count"));
      s.bind(1, q.name)
          .bind(2, q.visibility_timeout.count())
          .bind(3, std::chrono::duration_cast<Millis>(q.retention).count())
          .bind_optional(4, q.dead_letter_queue)
          .bind(5, q.max_receive_count);
      if (!s.run()) return c.error("declare queue");
    }
    for (const auto& sub : topology.subscriptions) {
      DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("INSERT INTO broker_subscriptions (topic, queue, "
                                               "types) VALUES (?, ?, ?) ON CONFLICT (topic, "
                                               "queue) DO UPDATE SET types = excluded.types"));
      s.bind(1, sub.topic).bind(2, sub.queue).bind(3, join_types(sub.types));
      if (!s.run()) return c.error("declare subscription");
    }
    return ok();
  });
}

Status SqliteBroker::publish(std::string_view topic, const ports::OutgoingMessage& message) {
  const TimePoint now = clock_.now();
  auto status = db_->transaction<void>([&](Connection& c) -> Status {
    std::vector<ports::Subscription> subscriptions;
    {
      DONUT_ASSIGN_OR_RETURN(
          auto s, c.prepare("SELECT queue, types FROM broker_subscriptions WHERE topic = ?"));
      s.bind(1, topic);
      for (;;) {
        DONUT_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        subscriptions.push_back(
            {std::string(topic), s.column_text(0), split_types(s.column_text(1))});
      }
    }
    for (const auto& subscription : subscriptions) {
      if (!subscription.accepts(message.attributes)) continue;
      DONUT_ASSIGN_OR_RETURN(auto config, load_queue(c, subscription.queue));
      DONUT_RETURN_IF_ERROR(insert_message(c, subscription.queue, config, message, now));
    }
    return ok();
  });
  if (status) wake_receivers();
  return status;
}

Status SqliteBroker::send(std::string_view queue, const ports::OutgoingMessage& message) {
  const TimePoint now = clock_.now();
  auto status = db_->transaction<void>([&](Connection& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto config, load_queue(c, queue));
    return insert_message(c, queue, config, message, now);
  });
  if (status) wake_receivers();
  return status;
}

Result<SqliteBroker::Attempt> SqliteBroker::try_receive(std::string_view queue,
                                                        const ports::ReceiveOptions& options) {
  const TimePoint now = clock_.now();
  return db_->transaction<Attempt>([&](Connection& c) -> Result<Attempt> {
    DONUT_ASSIGN_OR_RETURN(auto config, load_queue(c, queue));
    const Millis visibility = options.visibility_timeout.value_or(config.visibility_timeout);
    struct Row {
      int64_t seq;
      ports::ReceivedMessage message;
      int64_t expires_at_ms;
    };
    std::vector<Row> rows;
    {
      DONUT_ASSIGN_OR_RETURN(
          auto s, c.prepare("SELECT seq, message_id, body, attributes, sent_at_ms, "
                            "receive_count, source_queue, expires_at_ms FROM broker_messages "
                            "WHERE queue = ? AND visible_at_ms <= ? "
                            "ORDER BY visible_at_ms, seq LIMIT ?"));
      s.bind(1, queue).bind(2, to_unix_ms(now)).bind(3, std::max(1, options.max_messages));
      for (;;) {
        DONUT_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        Row r;
        r.seq = s.column_int(0);
        r.message.message_id = s.column_text(1);
        r.message.body = s.column_text(2);
        auto attributes = codec::decode_attributes(s.column_view(3));
        if (attributes) r.message.attributes = std::move(*attributes);
        r.message.sent_at = from_unix_ms(s.column_int(4));
        r.message.receive_count = static_cast<int>(s.column_int(5));
        r.message.source_queue = s.column_text(6);
        r.expires_at_ms = s.column_int(7);
        rows.push_back(std::move(r));
      }
    }
    Attempt attempt;
    for (auto& row : rows) {
      if (row.expires_at_ms <= to_unix_ms(now)) {
        DONUT_ASSIGN_OR_RETURN(auto d, c.prepare("DELETE FROM broker_messages WHERE seq = ?"));
        d.bind(1, row.seq);
        if (!d.run()) return c.error("expire");
        continue;
      }
      if (!config.dead_letter_queue.empty() &&
          row.message.receive_count >= config.max_receive_count) {
        DONUT_ASSIGN_OR_RETURN(auto dlq, load_queue(c, config.dead_letter_queue));
        DONUT_ASSIGN_OR_RETURN(auto m,
                               c.prepare("UPDATE broker_messages SET queue = ?, source_queue = ?, "
                                         "receive_count = 0, receipt = NULL, visible_at_ms = ?, "
                                         "expires_at_ms = ? WHERE seq = ?"));
        m.bind(1, config.dead_letter_queue)
            .bind(2, queue)
            .bind(3, to_unix_ms(now))
            .bind(4, to_unix_ms(now + dlq.retention))
            .bind(5, row.seq);
        if (!m.run()) return c.error("dead-letter");
        continue;
      }
      row.message.receipt = random_hex(16);
      row.message.receive_count += 1;
      DONUT_ASSIGN_OR_RETURN(auto u, c.prepare("UPDATE broker_messages SET receive_count = ?, "
                                               "receipt = ?, visible_at_ms = ? WHERE seq = ?"));
      u.bind(1, row.message.receive_count)
          .bind(2, row.message.receipt)
          .bind(3, to_unix_ms(now + visibility))
          .bind(4, row.seq);
      if (!u.run()) return c.error("receive");
      attempt.messages.push_back(std::move(row.message));
    }
    if (attempt.messages.empty()) {
      DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT min(visible_at_ms) FROM broker_messages "
                                               "WHERE queue = ? AND visible_at_ms > ?"));
      s.bind(1, queue).bind(2, to_unix_ms(now));
      DONUT_ASSIGN_OR_RETURN(bool row, s.step());
      if (row && !s.column_is_null(0)) attempt.next_visible = from_unix_ms(s.column_int(0));
    }
    return attempt;
  });
}

Result<std::vector<ports::ReceivedMessage>> SqliteBroker::receive(
    std::string_view queue, const ports::ReceiveOptions& options, std::stop_token stop) {
  const auto deadline = std::chrono::steady_clock::now() + options.wait;
  for (;;) {
    uint64_t seen;
    {
      std::lock_guard lock(wake_mutex_);
      seen = generation_;
    }
    DONUT_ASSIGN_OR_RETURN(auto attempt, try_receive(queue, options));
    if (!attempt.messages.empty()) return std::move(attempt.messages);
    const auto steady_now = std::chrono::steady_clock::now();
    if (stop.stop_requested() || steady_now >= deadline)
      return std::vector<ports::ReceivedMessage>{};
    auto wake_at = std::min(deadline, steady_now + options_.cross_process_poll);
    if (attempt.next_visible) {
      const auto until_visible = *attempt.next_visible - clock_.now();
      wake_at = std::min(wake_at, steady_now + std::max(Millis(1), until_visible));
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_until(lock, stop, wake_at, [&] { return generation_ != seen; });
  }
}

Status SqliteBroker::delete_message(std::string_view queue, std::string_view receipt) {
  return db_->with_connection([&](Connection& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(
        auto s, c.prepare("DELETE FROM broker_messages WHERE queue = ? AND receipt = ?"));
    s.bind(1, queue).bind(2, receipt);
    if (!s.run()) return c.error("delete");
    return ok();
  });
}

Status SqliteBroker::delete_messages(std::string_view queue,
                                     std::span<const std::string> receipts) {
  if (receipts.empty()) return ok();
  return db_->transaction<void>([&](Connection& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(
        auto s, c.prepare("DELETE FROM broker_messages WHERE queue = ? AND receipt = ?"));
    for (const auto& receipt : receipts) {
      s.bind(1, queue).bind(2, receipt);
      if (!s.run()) return c.error("delete");
      s.reset();
    }
    return ok();
  });
}

Status SqliteBroker::change_visibility(std::string_view queue, std::string_view receipt,
                                       Millis timeout) {
  const TimePoint now = clock_.now();
  auto status = db_->with_connection([&](Connection& c) -> Status {
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("UPDATE broker_messages SET visible_at_ms = ? "
                                             "WHERE queue = ? AND receipt = ?"));
    s.bind(1, to_unix_ms(now + timeout)).bind(2, queue).bind(3, receipt);
    DONUT_ASSIGN_OR_RETURN(int64_t changed, s.run());
    if (changed == 0) {
      return make_error(ErrorCode::not_found,
                        "receipt is no longer valid (message deleted or "
                        "received again)");
    }
    return ok();
  });
  if (status && timeout.count() == 0) wake_receivers();
  return status;
}

Result<ports::QueueStats> SqliteBroker::stats(std::string_view queue) {
  const TimePoint now = clock_.now();
  return db_->with_connection([&](Connection& c) -> Result<ports::QueueStats> {
    DONUT_ASSIGN_OR_RETURN(auto config, load_queue(c, queue));
    DONUT_ASSIGN_OR_RETURN(auto s,
                           c.prepare("SELECT coalesce(sum(visible_at_ms <= ?1), 0), "
                                     "coalesce(sum(visible_at_ms > ?1 AND receive_count > 0), 0), "
                                     "coalesce(sum(visible_at_ms > ?1 AND receive_count = 0), 0) "
                                     "FROM broker_messages WHERE queue = ?2"));
    s.bind(1, to_unix_ms(now)).bind(2, queue);
    DONUT_ASSIGN_OR_RETURN(bool row, s.step());
    ports::QueueStats stats;
    stats.queue = std::string(queue);
    stats.dead_letter_queue = config.dead_letter_queue;
    if (row) {
      stats.visible = s.column_int(0);
      stats.in_flight = s.column_int(1);
      stats.delayed = s.column_int(2);
    }
    return stats;
  });
}

Result<std::vector<ports::ReceivedMessage>> SqliteBroker::peek(std::string_view queue, int max) {
  return db_->with_connection([&](Connection& c) -> Result<std::vector<ports::ReceivedMessage>> {
    DONUT_RETURN_IF_ERROR(load_queue(c, queue));
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("SELECT message_id, body, attributes, sent_at_ms, "
                                             "receive_count, source_queue FROM broker_messages "
                                             "WHERE queue = ? ORDER BY seq LIMIT ?"));
    s.bind(1, queue).bind(2, std::max(0, max));
    std::vector<ports::ReceivedMessage> messages;
    for (;;) {
      DONUT_ASSIGN_OR_RETURN(bool row, s.step());
      if (!row) break;
      ports::ReceivedMessage m;
      m.message_id = s.column_text(0);
      m.body = s.column_text(1);
      if (auto a = codec::decode_attributes(s.column_view(2))) m.attributes = std::move(*a);
      m.sent_at = from_unix_ms(s.column_int(3));
      m.receive_count = static_cast<int>(s.column_int(4));
      m.source_queue = s.column_text(5);
      messages.push_back(std::move(m));
    }
    return messages;
  });
}

Result<int64_t> SqliteBroker::redrive(std::string_view dead_letter_queue, int64_t max) {
  const TimePoint now = clock_.now();
  auto moved = db_->transaction<int64_t>([&](Connection& c) -> Result<int64_t> {
    DONUT_RETURN_IF_ERROR(load_queue(c, dead_letter_queue));
    DONUT_ASSIGN_OR_RETURN(auto source,
                           c.prepare("SELECT 1 FROM broker_queues WHERE dead_letter_queue = ?"));
    source.bind(1, dead_letter_queue);
    DONUT_ASSIGN_OR_RETURN(bool has_source, source.next());
    if (!has_source) return ports::no_source_queue(dead_letter_queue);
    DONUT_ASSIGN_OR_RETURN(
        auto s, c.prepare("UPDATE broker_messages SET queue = source_queue, source_queue = NULL, "
                          "receive_count = 0, receipt = NULL, visible_at_ms = ?1, "
                          "expires_at_ms = ?1 + coalesce((SELECT retention_ms FROM broker_queues "
                          "WHERE name = broker_messages.source_queue), ?4) "
                          "WHERE seq IN (SELECT seq FROM broker_messages WHERE queue = ?2 AND "
                          "source_queue IS NOT NULL ORDER BY seq LIMIT ?3)"));
    s.bind(1, to_unix_ms(now))
        .bind(2, dead_letter_queue)
        .bind(3, max)
        .bind(4, std::chrono::duration_cast<Millis>(ports::kDefaultRetention).count());
    return s.run();
  });
  if (moved && *moved > 0) wake_receivers();
  return moved;
}

Result<int64_t> SqliteBroker::purge(std::string_view queue) {
  return db_->transaction<int64_t>([&](Connection& c) -> Result<int64_t> {
    DONUT_RETURN_IF_ERROR(load_queue(c, queue));
    DONUT_ASSIGN_OR_RETURN(auto s, c.prepare("DELETE FROM broker_messages WHERE queue = ?"));
    s.bind(1, queue);
    return s.run();
  });
}

}  // namespace donut::sqlite
