#include "app/notifier.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "app/trace_attributes.h"
#include "codec/events_json.h"
#include "common/logging.h"
#include "common/overloaded.h"
#include "common/stoppable_sleep.h"
#include "common/thread_name.h"

namespace donut::app {

ports::Email compose_email(const domain::Event& event, const MailSettings& settings) {
  ports::Email email;
  email.from = settings.from;
  email.to = settings.to;
  email.id = "event-" + domain::event_id(event);
  std::visit(
      Overloaded{
          [&](const domain::StockEmpty& e) {
            if (e.stock_left == 0) {
              email.subject = fmt::format("[donut-states] {} is out of stock", e.product_id);
              email.text = fmt::format("{} ran out of stock at {}.\n", e.product_id,
                                       format_rfc3339(e.occurred_at));
            } else {
              email.subject = fmt::format("[donut-states] {} is running low", e.product_id);
              email.text = fmt::format("{} was running low at {}: {} left.\n", e.product_id,
                                       format_rfc3339(e.occurred_at), e.stock_left);
            }
            email.text += fmt::format("Restock {} opened: {} will be requested from the factory.\n",
                                      e.restock_id, e.restock_quantity);
          },
          [&](const domain::RestockRequested& e) {
            email.subject = fmt::format("[donut-states] restock of {} requested", e.product_id);
            email.text =
                fmt::format("The factory accepted restock {} for {} x {} at {}.\n", e.restock_id,
                            e.quantity, e.product_id, format_rfc3339(e.occurred_at));
          },
          [&](const domain::StockArrived& e) {
            email.subject = fmt::format("[donut-states] {} x {} arrived", e.quantity, e.product_id);
            email.text =
                fmt::format("{} x {} arrived at {} (restock {}, request {}). Stock is now {}.\n",
                            e.quantity, e.product_id, format_rfc3339(e.occurred_at), e.restock_id,
                            e.request_id, e.stock_after);
          },
      },
      event);
  return email;
}

std::vector<MessageResult> Notifier::handle(std::span<const ports::ReceivedMessage> messages,
                                            std::stop_token) {
  return handle_each(messages, [this](const auto& message) { return handle_one(message); });
}

MessageResult Notifier::handle_one(const ports::ReceivedMessage& message) {
  auto event = codec::decode_event(message.body);
  if (!event) {
    spdlog::error("notifier: undecodable message {}: {}", message.message_id,
                  event.error().message);
    return MessageResult::retry(std::chrono::seconds(1));
  }
  const auto& restock_id = domain::event_restock_id(*event);
  LogScope scope{{"restock_id", restock_id},
                 {"product_id", domain::event_product_id(*event)},
                 {"trace_id", trace_id_of(message, restock_id)}};
  const ports::Email email = compose_email(*event, settings_);
  if (auto sent = mailer_.send(email); !sent) {
    spdlog::warn("notifier: mail not sent: {}", sent.error().message);
    return MessageResult::retry(
        backoff_delay(message.receive_count, std::chrono::seconds(1), std::chrono::seconds(60)));
  }
  if (timeline_ != nullptr && !restock_id.empty()) {
    const std::string detail =
        "\"" + email.subject + "\" to " + fmt::format("{}", fmt::join(email.to, ", "));
    if (auto noted =
            timeline_->record_restock_event(restock_id, domain::TimelineKind::mail, detail);
        !noted) {
      spdlog::debug("notifier: timeline entry not recorded: {}", noted.error().message);
    }
  }
  return MessageResult::ok();
}

DlqMonitor::DlqMonitor(ports::Broker& broker, ports::Mailer& mailer, MailSettings settings,
                       std::vector<std::string> dead_letter_queues, Millis interval)
    : broker_(broker),
      mailer_(mailer),
      settings_(std::move(settings)),
      queues_(std::move(dead_letter_queues)),
      interval_(interval) {}

DlqMonitor::~DlqMonitor() {
  stop();
}

void DlqMonitor::start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    name_this_thread("dlq-monitor");
    while (!stop.stop_requested()) {
      {
        const auto timing = pass_.time();
        check_once();
      }
      sleep_unless_stopped(interval_, stop);
    }
  });
}

void DlqMonitor::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

int DlqMonitor::check_once() {
  int alerts = 0;
  for (const auto& queue : queues_) {
    auto stats = broker_.stats(queue);
    if (!stats) continue;
    const int64_t depth = stats->visible + stats->in_flight + stats->delayed;
    const int64_t before = last_depth_.contains(queue) ? last_depth_[queue] : 0;
    if (depth > 0 && before == 0) {
      // Named after the oldest message, so a restarted monitor does not mail the same news.
      auto oldest = broker_.peek(queue, 1);
      const std::string first = oldest && !oldest->empty() ? oldest->front().message_id : "unknown";
      ports::Email email;
      email.id = "dlq-" + queue + "-" + first;
      email.from = settings_.from;
      email.to = settings_.to;
      email.subject = fmt::format("[donut-states] dead-letter queue {} is not empty", queue);
      email.text = fmt::format(
          "{} holds {} message(s) that failed repeatedly.\nInspect: donut dlq list {}\n"
          "After fixing the cause: donut dlq redrive {}\n",
          queue, depth, queue, queue);
      if (mailer_.send(email)) {
        ++alerts;
      } else {
        continue;  // try again next round
      }
    }
    last_depth_[queue] = depth;
  }
  return alerts;
}

}  // namespace donut::app
