// The RabbitMQ opener of a build without rabbitmq-c (DONUT_WITH_RABBITMQ off or the library not
// found): an amqp:// broker is refused with the reason, instead of an unknown scheme.
#include "wiring/broker.h"

namespace donut::wiring {

Result<std::unique_ptr<ports::Broker>> open_rabbitmq_broker(const BrokerSettings&,
                                                            const ports::Clock&) {
  return make_error(ErrorCode::invalid_argument,
                    "this donut was built without RabbitMQ (DONUT_WITH_RABBITMQ is off, or "
                    "rabbitmq-c was not found): an amqp:// broker is not available");
}

}  // namespace donut::wiring
