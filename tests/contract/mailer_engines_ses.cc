// The mailer contract on Amazon SES v2, against the aws-ses-v2-local emulator (npm, started by
// this binary): what it accepted is read back from its /store.
#include <boost/json.hpp>

#include "adapters/aws/ses_mailer.h"
#include "adapters/clock/clocks.h"
#include "adapters/http/http_client.h"
#include "contract/mailer_contract.h"
#include "support/test_servers.h"

namespace donut {
namespace {

using testing::SesServer;

const bool kSesServer = testing::use_server<SesServer>();

clock::SystemClock ses_clock;

MailerEngine ses_engine() {
  MailerEngine engine;
  engine.name = "ses";
  engine.make = [](testing::TempDir&) -> std::unique_ptr<ports::Mailer> {
    aws::AwsConfig config;
    config.region = "us-east-1";
    config.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
    config.endpoint = SesServer::url();
    return std::make_unique<aws::SesMailer>(
        std::make_shared<aws::AwsCaller>(std::move(config), ses_clock));
  };
  engine.delivered = [](testing::TempDir&, const std::string& marker) {
    std::vector<DeliveredMail> found;
    auto store = http_client::get(SesServer::emulator_url() + "/store");
    if (!store || store->status != 200) return found;
    const boost::json::value stored = boost::json::parse(store->body);
    for (const auto& e : stored.at("emails").as_array()) {
      const auto& o = e.as_object();
      DeliveredMail mail;
      mail.subject = o.at("subject").as_string();
      if (mail.subject.find(marker) == std::string::npos) continue;
      mail.from = o.at("from").as_string();
      for (const auto& to : o.at("destination").at("to").as_array()) {
        mail.to.emplace_back(to.as_string());
      }
      mail.text = o.at("body").at("text").as_string();
      while (!mail.text.empty() && mail.text.back() == '\n') mail.text.pop_back();
      found.push_back(std::move(mail));
    }
    return found;
  };
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, MailerContract, ::testing::Values(ses_engine()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
