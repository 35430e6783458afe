#include "adapters/rabbitmq/rabbitmq_broker.h"

#include "wiring/broker.h"

namespace donut::wiring {

Result<std::unique_ptr<ports::Broker>> open_rabbitmq_broker(const BrokerSettings& settings,
                                                            const ports::Clock& clock) {
  DONUT_ASSIGN_OR_RETURN(auto parsed, rabbitmq::Settings::from_url(settings.url));
  return std::unique_ptr<ports::Broker>(
      std::make_unique<rabbitmq::RabbitBroker>(std::move(parsed), clock));
}

}  // namespace donut::wiring
