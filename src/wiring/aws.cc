#include "adapters/aws/aws_broker.h"
#include "adapters/aws/ses_mailer.h"
#include "wiring/broker.h"
#include "wiring/mail.h"

namespace donut::wiring {
namespace {

// SNS, SQS and SES calls signed with the AWS_* environment's credentials. A caller holds no
// connection, so each adapter may have its own.
Result<std::shared_ptr<const aws::AwsCaller>> caller_from_environment(const ports::Clock& clock) {
  DONUT_ASSIGN_OR_RETURN(auto config, aws::AwsConfig::from_environment());
  return std::make_shared<const aws::AwsCaller>(std::move(config), clock);
}

}  // namespace

Result<std::unique_ptr<ports::Broker>> open_aws_broker(const BrokerSettings& s,
                                                       const ports::Clock& clock) {
  DONUT_ASSIGN_OR_RETURN(auto caller, caller_from_environment(clock));
  aws::AwsBrokerSettings settings;
  settings.name_prefix = s.aws_prefix;
  settings.manage_resources = s.aws_manage_resources;
  settings.topic_arns = s.aws_topic_arns;
  settings.queue_urls = s.aws_queue_urls;
  return std::unique_ptr<ports::Broker>(
      std::make_unique<aws::AwsBroker>(std::move(caller), std::move(settings)));
}

Result<std::unique_ptr<ports::Mailer>> open_ses_mailer(const MailSettings& settings,
                                                       const ports::Clock& clock) {
  DONUT_ASSIGN_OR_RETURN(auto caller, caller_from_environment(clock));
  return std::unique_ptr<ports::Mailer>(
      std::make_unique<aws::SesMailer>(std::move(caller), settings.ses_senders));
}

}  // namespace donut::wiring
