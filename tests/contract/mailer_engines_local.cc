// The mailer contract on the file outbox: one .eml per e-mail id in a folder.
#include <filesystem>

#include "adapters/clock/clocks.h"
#include "adapters/mail/file_mailer.h"
#include "contract/mailer_contract.h"

namespace donut {
namespace {

clock::SystemClock mail_clock;

MailerEngine file_engine() {
  MailerEngine engine;
  engine.name = "file";
  engine.make = [](testing::TempDir& dir) -> std::unique_ptr<ports::Mailer> {
    return std::make_unique<mail::FileMailer>(dir.path() / "outbox", mail_clock);
  };
  engine.delivered = [](testing::TempDir& dir, const std::string& marker) {
    std::vector<DeliveredMail> found;
    if (!std::filesystem::exists(dir.path() / "outbox")) return found;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "outbox")) {
      if (entry.path().extension() != ".eml") continue;
      auto mail = parse_eml(testing::read_file(entry.path()));
      if (mail.subject.find(marker) != std::string::npos) found.push_back(std::move(mail));
    }
    return found;
  };
  engine.repeats_suppressed = true;
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, MailerContract, ::testing::Values(file_engine()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
