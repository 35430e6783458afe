#include "wiring/broker.h"

#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "wiring/sqlite_file.h"

namespace donut::wiring {
namespace {

using Opened = Result<std::unique_ptr<ports::Broker>>;

Opened open_rabbitmq(const BrokerSettings& s, const ports::Clock& clock) {
  return open_rabbitmq_broker(s, clock);
}

Opened open_aws(const BrokerSettings& s, const ports::Clock& clock) {
  return open_aws_broker(s, clock);
}

Opened open_embedded(const BrokerSettings& s, const ports::Clock& clock) {
  DONUT_ASSIGN_OR_RETURN(auto file, detail::open_sqlite_file(s.embedded_file));
  return detail::embedded_broker_on(std::move(file), clock);
}

struct BrokerEngine {
  std::string_view name;  // the URL's scheme, or the whole setting
  bool is_scheme;
  Opened (*open)(const BrokerSettings&, const ports::Clock&);
};

constexpr BrokerEngine kBrokerEngines[] = {
    {"amqp://", true, open_rabbitmq},
    {"aws", false, open_aws},
    {"embedded", false, open_embedded},
    {"", false, open_embedded},
};

}  // namespace

std::unique_ptr<ports::Broker> detail::embedded_broker_on(std::shared_ptr<sqlite::Database> file,
                                                          const ports::Clock& clock) {
  return std::make_unique<sqlite::SqliteBroker>(std::move(file), clock);
}

Result<std::unique_ptr<ports::Broker>> open_broker(const BrokerSettings& settings,
                                                   const ports::Clock& clock) {
  for (const auto& engine : kBrokerEngines) {
    const bool chosen =
        engine.is_scheme ? settings.url.starts_with(engine.name) : settings.url == engine.name;
    if (chosen) return engine.open(settings, clock);
  }
  return make_error(ErrorCode::invalid_argument,
                    "--broker must be 'embedded', 'aws' or amqp://...");
}

}  // namespace donut::wiring
