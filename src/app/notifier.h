// Notifications: e-mails for stock empty, restock requested, stock arrived (from the
// notifications queue), and for a dead-letter queue that stopped being empty (DlqMonitor).
//
// E-mail ids derive from the event id, so a redelivered event rewrites the same e-mail instead
// of sending a second one (mailers treat a repeated id as harmless, see ports/mailer.h).
#pragma once

#include <map>
#include <span>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "app/queue_consumer.h"
#include "common/loop_pass.h"
#include "domain/events.h"
#include "ports/broker.h"
#include "ports/mailer.h"
#include "ports/store.h"

namespace donut::app {

struct MailSettings {
  std::string from = "donut-states@localhost";
  std::vector<std::string> to = {"warehouse@localhost"};
};

ports::Email compose_email(const domain::Event& event, const MailSettings& settings);

class Notifier {
 public:
  // `timeline`, when given, gets a `mail` entry on the restock's timeline for every e-mail
  // sent (best effort). On AWS the notifier runs without the database and passes none.
  Notifier(ports::Mailer& mailer, MailSettings settings, ports::Store* timeline = nullptr)
      : mailer_(mailer), settings_(std::move(settings)), timeline_(timeline) {}

  std::vector<MessageResult> handle(std::span<const ports::ReceivedMessage> messages,
                                    std::stop_token stop);
  MessageResult handle_one(const ports::ReceivedMessage& message);

 private:
  ports::Mailer& mailer_;
  MailSettings settings_;
  ports::Store* timeline_;
};

// Watches dead-letter queues and mails once when one goes from empty to not empty.
class DlqMonitor {
 public:
  DlqMonitor(ports::Broker& broker, ports::Mailer& mailer, MailSettings settings,
             std::vector<std::string> dead_letter_queues, Millis interval);
  ~DlqMonitor();
  void start();
  void stop();
  // One check of every queue; returns how many alerts were sent (tests call it directly).
  int check_once();
  // How long the loop's current check has run (zero between checks).
  Millis pass_running_for() const { return pass_.running_for(); }

 private:
  ports::Broker& broker_;
  ports::Mailer& mailer_;
  MailSettings settings_;
  std::vector<std::string> queues_;
  Millis interval_;
  std::map<std::string, int64_t> last_depth_;
  LoopPass pass_;
  std::jthread thread_;
};

}  // namespace donut::app
