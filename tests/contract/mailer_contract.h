// The mailer port's contract fixture (ports/mailer.h). The tests are in
// mailer_contract_test.cc; each engine instantiates them in its own file, with a reader for
// what its far side received (mailer_engines_local.cc: the .eml outbox; mailer_engines_smtp.cc:
// a real SMTP server's store; mailer_engines_ses.cc: the SES emulator's store), so every engine
// runs the same list of tests.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/ids.h"
#include "ports/mailer.h"
#include "support/temp_dir.h"

namespace donut {

// An e-mail as the far side holds it.
struct DeliveredMail {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string text;  // LF line ends, without the trailing line ends
};

struct MailerEngine {
  std::string name;
  std::function<std::unique_ptr<ports::Mailer>(testing::TempDir&)> make;
  // Every e-mail delivered so far whose subject contains `marker`.
  std::function<std::vector<DeliveredMail>(testing::TempDir&, const std::string& marker)> delivered;
  // A repeated send of one e-mail id leaves one e-mail (else the far side holds both).
  bool repeats_suppressed = false;
};

inline std::ostream& operator<<(std::ostream& out, const MailerEngine& engine) {
  return out << engine.name;
}

// The headers and text of an RFC 5322 message as render_eml writes it (ASCII subject).
inline DeliveredMail parse_eml(const std::string& raw) {
  DeliveredMail mail;
  const auto split = raw.find("\r\n\r\n");
  const std::string head = raw.substr(0, split);
  std::string body = split == std::string::npos ? "" : raw.substr(split + 4);
  std::size_t at = 0;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(at, end - at);
    at = end + 2;
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon), value = line.substr(colon + 2);
    if (name == "From") mail.from = value;
    if (name == "Subject") mail.subject = value;
    if (name == "To") {
      for (std::size_t from = 0; from <= value.size();) {
        auto comma = value.find(", ", from);
        if (comma == std::string::npos) comma = value.size();
        mail.to.push_back(value.substr(from, comma - from));
        from = comma + 2;
      }
    }
  }
  for (auto crlf = body.find("\r\n"); crlf != std::string::npos; crlf = body.find("\r\n", crlf)) {
    body.erase(crlf, 1);
  }
  while (!body.empty() && body.back() == '\n') body.pop_back();
  mail.text = body;
  return mail;
}

class MailerContract : public ::testing::TestWithParam<MailerEngine> {
 protected:
  void SetUp() override {
    mailer_ = GetParam().make(dir_);
    ASSERT_NE(mailer_, nullptr);
    marker_ = "m" + random_hex(6);
  }

  ports::Email email() const {
    return {"n-" + marker_,
            "shop@example.com",
            {"ops@example.com", "boss@example.com"},
            "Out of stock " + marker_,
            "Line one\n.a line that starts with a dot\nLine three ✓\n"};
  }

  // What the far side holds for this test once it holds `count` (deliveries may lag a moment).
  std::vector<DeliveredMail> delivered(std::size_t count) {
    std::vector<DeliveredMail> got;
    for (int i = 0; i < 50; ++i) {
      got = GetParam().delivered(dir_, marker_);
      if (got.size() >= count) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return got;
  }

  testing::TempDir dir_;
  std::unique_ptr<ports::Mailer> mailer_;
  std::string marker_;
};

}  // namespace donut
