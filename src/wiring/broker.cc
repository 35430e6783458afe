#include "wiring/broker.h"

#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"

namespace donut::wiring {
namespace {

using Opened = Result<std::unique_ptr<ports::Broker>>;

Opened open_rabbitmq(const BrokerSettings& s, const ports::Clock& clock,
                     std::shared_ptr<sqlite::Database>&) {
  return open_rabbitmq_broker(s, clock);
}

Opened open_aws(const BrokerSettings& s, const ports::Clock& clock,
                std::shared_ptr<sqlite::Database>&) {
  return open_aws_broker(s, clock);
}

Opened open_embedded(const BrokerSettings& s, const ports::Clock& clock,
                     std::shared_ptr<sqlite::Database>& embedded) {
  if (!embedded) {
    // The warehouse is elsewhere (MySQL); the embedded broker keeps its own file.
    DONUT_ASSIGN_OR_RETURN(embedded, sqlite::Database::open({s.embedded_file, 4, true}));
  }
  return std::unique_ptr<ports::Broker>(std::make_unique<sqlite::SqliteBroker>(embedded, clock));
}

struct BrokerEngine {
  std::string_view name;  // the URL's scheme, or the whole setting
  bool is_scheme;
  Opened (*open)(const BrokerSettings&, const ports::Clock&, std::shared_ptr<sqlite::Database>&);
};

constexpr BrokerEngine kBrokerEngines[] = {
    {"amqp://", true, open_rabbitmq},
    {"aws", false, open_aws},
    {"embedded", false, open_embedded},
    {"", false, open_embedded},
};

}  // namespace

Result<std::unique_ptr<ports::Broker>> open_broker(const BrokerSettings& settings,
                                                   const ports::Clock& clock,
                                                   std::shared_ptr<sqlite::Database>& embedded) {
  for (const auto& engine : kBrokerEngines) {
    const bool chosen =
        engine.is_scheme ? settings.url.starts_with(engine.name) : settings.url == engine.name;
    if (chosen) return engine.open(settings, clock, embedded);
  }
  return make_error(ErrorCode::invalid_argument,
                    "--broker must be 'embedded', 'aws' or amqp://...");
}

}  // namespace donut::wiring
