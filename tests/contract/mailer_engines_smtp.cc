// The mailer contract over SMTP, against a real SMTP server (npm smtp-server, started by this
// binary): what it accepted is read back from its store (tools/node/smtp-sink.mjs).
#include <filesystem>

#include <boost/json.hpp>

#include "adapters/clock/clocks.h"
#include "adapters/mail/smtp_mailer.h"
#include "contract/mailer_contract.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::SmtpServer;

const bool kSmtpServer = testing::use_server<SmtpServer>();

clock::SystemClock smtp_clock;

MailerEngine smtp_engine() {
  MailerEngine engine;
  engine.name = "smtp";
  engine.make = [](testing::TempDir&) -> std::unique_ptr<ports::Mailer> {
    mail::SmtpSettings settings;
    settings.url = "smtp://127.0.0.1:" + std::to_string(SmtpServer::port);
    settings.tls = mail::SmtpSettings::Tls::none;
    settings.timeout = std::chrono::seconds(5);
    auto mailer = mail::SmtpMailer::create(std::move(settings), smtp_clock);
    if (!mailer) throw ErrorException(mailer.error());
    return std::move(*mailer);
  };
  engine.delivered = [](testing::TempDir&, const std::string& marker) {
    std::vector<DeliveredMail> found;
    const auto dir = std::filesystem::path(SmtpServer::data_dir) / "mail";
    if (!std::filesystem::exists(dir)) return found;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".json") continue;
      const auto record = boost::json::parse(testing::read_file(entry.path())).as_object();
      auto mail = parse_eml(std::string(record.at("raw").as_string()));
      if (mail.subject.find(marker) != std::string::npos) found.push_back(std::move(mail));
    }
    return found;
  };
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, MailerContract, ::testing::Values(smtp_engine()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
