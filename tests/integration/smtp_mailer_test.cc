// The SMTP mailer against a real SMTP server (npm smtp-server) that this binary starts on
// 127.0.0.1: plain delivery to a local relay, STARTTLS and smtps with a login, the refusals a
// mail server gives (credentials, recipients, untrusted certificate, no STARTTLS), and the
// whole local system sending its notifications over SMTP, and `donut mail test`.
#include "adapters/mail/smtp_mailer.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "adapters/clock/clocks.h"
#include "common/ids.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"
#include "support/test_system.h"

namespace donut::mail {
namespace {

using testing::SmtpServer;
namespace fs = std::filesystem;
namespace json = boost::json;

const bool kSmtp = testing::use_server<SmtpServer>();

unsigned listener_port(const char* name) {
  const auto ports = json::parse(testing::read_file(fs::path(SmtpServer::data_dir) / "ports.json"));
  return static_cast<unsigned>(ports.at(name).as_int64());
}

// Every e-mail the server accepted whose raw text contains `marker`.
std::vector<json::object> received(const std::string& marker) {
  std::vector<json::object> found;
  const auto dir = fs::path(SmtpServer::data_dir) / "mail";
  if (!fs::exists(dir)) return found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    auto record = json::parse(testing::read_file(entry.path())).as_object();
    if (std::string_view(record.at("raw").as_string()).find(marker) != std::string_view::npos) {
      found.push_back(std::move(record));
    }
  }
  return found;
}

class Smtp : public ::testing::Test {
 protected:
  SmtpSettings plain() const {
    SmtpSettings s;
    s.url = "smtp://127.0.0.1:" + std::to_string(SmtpServer::port);
    s.tls = SmtpSettings::Tls::none;
    s.timeout = std::chrono::seconds(5);
    return s;
  }
  SmtpSettings secured(const char* listener) const {
    SmtpSettings s;
    s.url = std::string(listener == std::string("smtps") ? "smtps" : "smtp") +
            "://127.0.0.1:" + std::to_string(listener_port(listener));
    s.username = SmtpServer::kUser;
    s.password = SmtpServer::kPassword;
    s.ca_file = (fs::path(SmtpServer::data_dir) / "cert.pem").string();
    s.timeout = std::chrono::seconds(5);
    return s;
  }
  std::unique_ptr<SmtpMailer> mailer(SmtpSettings settings) {
    auto m = SmtpMailer::create(std::move(settings), clock_);
    EXPECT_TRUE(m) << m.error().message;
    return m ? std::move(*m) : nullptr;
  }
  ports::Email email(std::vector<std::string> to = {"ops@example.com"}) {
    marker_ = "m" + random_hex(6);
    return {marker_, "Donut-States <shop@example.com>", std::move(to), "Out of stock " + marker_,
            "Line one\n.a line that starts with a dot\nlast line\n"};
  }

  clock::ManualClock clock_;
  std::string marker_;
};

TEST_F(Smtp, DeliversToAPlainRelayWithTheEnvelopeAndTextIntact) {
  auto m = mailer(plain());
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->send(email({"ops@example.com", "Boss <boss@example.com>"})));
  const auto got = received(marker_);
  ASSERT_EQ(got.size(), 1u);
  const auto& mail = got[0];
  EXPECT_EQ(mail.at("listener").as_string(), "plain");
  EXPECT_EQ(mail.at("from").as_string(), "shop@example.com") << "the envelope drops the name";
  ASSERT_EQ(mail.at("to").as_array().size(), 2u);
  EXPECT_EQ(mail.at("to").as_array()[1].as_string(), "boss@example.com");
  const std::string raw(mail.at("raw").as_string());
  EXPECT_NE(raw.find("Subject: Out of stock " + marker_ + "\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Message-ID: <" + marker_ + "@donut-states.local>\r\n"), std::string::npos);
  EXPECT_NE(raw.find("\r\n.a line that starts with a dot\r\nlast line\r\n"), std::string::npos)
      << "dot-stuffing is undone by the server, so the line arrives as written: " << raw;
}

TEST_F(Smtp, SeveralThreadsShareTheServerAndEveryEmailArrivesOnce) {
  auto m = mailer(plain());
  ASSERT_TRUE(m);
  const std::string batch = "b" + random_hex(6);
  std::vector<std::thread> threads;
  std::atomic<int> sent{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        ports::Email e{batch + "-" + std::to_string(t) + "-" + std::to_string(i),
                       "shop@example.com",
                       {"ops@example.com"},
                       "batch " + batch,
                       "text"};
        if (m->send(e)) ++sent;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(sent.load(), 20);
  const auto got = received("batch " + batch);
  EXPECT_EQ(got.size(), 20u);
  std::set<std::string> connections;
  for (const auto& mail : got) connections.insert(std::string(mail.at("session").as_string()));
  EXPECT_LE(connections.size(), 4u) << "a connection is kept for the next e-mail";
}

TEST_F(Smtp, LogsInOverStartTlsAndOverSmtps) {
  for (const char* listener : {"starttls", "smtps"}) {
    auto m = mailer(secured(listener));
    ASSERT_TRUE(m);
    auto sent = m->send(email());
    ASSERT_TRUE(sent) << listener << ": " << sent.error().message;
    const auto got = received(marker_);
    ASSERT_EQ(got.size(), 1u) << listener;
    EXPECT_EQ(got[0].at("listener").as_string(), listener);
    EXPECT_TRUE(got[0].at("secure").as_bool()) << listener;
    EXPECT_EQ(got[0].at("user").as_string(), SmtpServer::kUser) << listener;
  }
}

TEST_F(Smtp, NonAsciiSubjectsTravelAsEncodedWords) {
  auto m = mailer(plain());
  ASSERT_TRUE(m);
  auto e = email();
  e.subject = "Crème brûlée " + marker_ + " is out of stock";
  ASSERT_TRUE(m->send(e));
  const auto got = received(marker_);  // the marker is in the Message-ID
  ASSERT_EQ(got.size(), 1u);
  const std::string raw(got[0].at("raw").as_string());
  EXPECT_NE(raw.find("Subject: =?UTF-8?B?"), std::string::npos) << raw;
  EXPECT_EQ(raw.find("Crème"), std::string::npos) << "no raw 8-bit header text";
}

TEST_F(Smtp, WrongPasswordIsUnauthorizedAndNothingIsDelivered) {
  auto settings = secured("starttls");
  settings.password = "not-the-password";
  auto m = mailer(settings);
  ASSERT_TRUE(m);
  auto sent = m->send(email());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::unauthorized) << sent.error().message;
  EXPECT_EQ(sent.error().message.find("not-the-password"), std::string::npos);
  EXPECT_TRUE(received(marker_).empty());
}

TEST_F(Smtp, AnUntrustedCertificateStopsTheMailBeforeTheLogin) {
  auto settings = secured("starttls");
  settings.ca_file = (fs::path(SmtpServer::data_dir) / "no-such-ca.pem").string();
  auto m = mailer(settings);
  ASSERT_TRUE(m);
  auto sent = m->send(email());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::unavailable) << sent.error().message;
  EXPECT_NE(sent.error().message.find("certificate"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(received(marker_).empty());
}

TEST_F(Smtp, StartTlsIsRequiredUnlessTurnedOff) {
  auto settings = plain();
  settings.tls = SmtpSettings::Tls::starttls;  // the plain listener offers no STARTTLS
  auto m = mailer(settings);
  ASSERT_TRUE(m);
  auto sent = m->send(email());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::unavailable);
  EXPECT_NE(sent.error().message.find("STARTTLS"), std::string::npos) << sent.error().message;
  EXPECT_TRUE(received(marker_).empty());
}

TEST_F(Smtp, RefusedRecipientsAreFinalAndBusyServersAreTransient) {
  auto m = mailer(plain());
  ASSERT_TRUE(m);
  auto rejected = m->send(email({"reject@example.com"}));
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, ErrorCode::invalid_argument) << rejected.error().message;
  EXPECT_NE(rejected.error().message.find("550"), std::string::npos) << rejected.error().message;

  auto busy = m->send(email({"busy@example.com"}));
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, ErrorCode::unavailable) << busy.error().message;
  EXPECT_TRUE(is_transient(busy.error().code));

  auto fine = m->send(email());
  EXPECT_TRUE(fine) << "the connection is still good after refusals: " << fine.error().message;
  EXPECT_EQ(received(marker_).size(), 1u);
}

TEST_F(Smtp, AServerThatIsNotThereIsUnavailable) {
  auto settings = plain();
  settings.url = "smtp://127.0.0.1:" + std::to_string(testing::free_port());
  auto m = mailer(settings);
  ASSERT_TRUE(m);
  auto sent = m->send(email());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::unavailable) << sent.error().message;
}

// What an operator runs to check the settings: `donut mail test`, password from the environment.
TEST(SmtpCli, MailTestSendsOneEmailOverStartTls) {
  testing::TempDir dir;
  const std::string to = "ops-" + random_hex(4) + "@example.com";
  const std::string command =
      std::string("DONUT_SMTP_PASSWORD=") + SmtpServer::kPassword + " " + DONUT_BINARY +
      " mail test --data-dir " + dir.path().string() +
      " --mailer smtp --smtp-url smtp://127.0.0.1:" + std::to_string(listener_port("starttls")) +
      " --smtp-user " + SmtpServer::kUser + " --smtp-ca-file " +
      (fs::path(SmtpServer::data_dir) / "cert.pem").string() + " --mail-to " + to + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << output;
  EXPECT_NE(output.find("sent test-"), std::string::npos) << output;
  const auto got = received(to);
  ASSERT_EQ(got.size(), 1u) << output;
  EXPECT_EQ(got[0].at("user").as_string(), SmtpServer::kUser);
  EXPECT_TRUE(got[0].at("secure").as_bool());
  EXPECT_EQ(output.find(SmtpServer::kPassword), std::string::npos);
}

TEST(SmtpSystem, TheWholeSystemSendsItsNotificationsOverSmtpAndNeverLogsThePassword) {
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured)));
  spdlog::set_level(spdlog::level::trace);
  testing::TempDir dir;
  auto config = testing::fast_config(dir);
  config.mail.mailer = "smtp";
  config.mail.smtp_url = "smtp://127.0.0.1:" + std::to_string(listener_port("starttls"));
  config.mail.smtp_user = SmtpServer::kUser;
  config.mail.smtp_password = SmtpServer::kPassword;
  config.mail.smtp_ca_file = (fs::path(SmtpServer::data_dir) / "cert.pem").string();
  config.mail.to = "ops-" + random_hex(4) + "@example.com";
  auto started = local::LocalSystem::start(config);
  ASSERT_TRUE(started) << started.error().message;
  auto& system = **started;
  const std::string product = "CP-" + std::to_string(500000 + std::rand() % 99999);
  ASSERT_TRUE(system.store().upsert_product({product, "Maple Bar", 250, 1, 5}));
  ASSERT_EQ(testing::post_order(system.url(), product, 1).status, 201);
  ASSERT_EQ(testing::post_order(system.url(), product, 1).status, 409);
  for (const auto* what : {"is out of stock", "requested", "arrived"}) {
    EXPECT_TRUE(testing::eventually([&] {
      for (const auto& mail : received(product)) {
        const std::string raw(mail.at("raw").as_string());
        if (mail.at("to").as_array()[0].as_string() == config.mail.to &&
            raw.find(what) != std::string::npos) {
          return true;
        }
      }
      return false;
    })) << what;
  }
  system.stop();
  spdlog::set_default_logger(previous);
  EXPECT_FALSE(captured.str().empty()) << "the run was logged";
  EXPECT_EQ(captured.str().find(SmtpServer::kPassword), std::string::npos);
}

}  // namespace
}  // namespace donut::mail
