// The broker contract on the in-memory fake and the embedded SQLite broker, on a ManualClock.
#include "adapters/memory/memory_broker.h"
#include "adapters/sqlite/database.h"
#include "adapters/sqlite/sqlite_broker.h"
#include "contract/broker_contract.h"

namespace donut {
namespace {

BrokerEngine memory_engine() {
  BrokerEngine engine;
  engine.name = "memory";
  engine.make = [](const ports::Clock& clock, testing::TempDir&) -> std::unique_ptr<ports::Broker> {
    return std::make_unique<memory::MemoryBroker>(clock);
  };
  return engine;
}

BrokerEngine sqlite_engine() {
  BrokerEngine engine;
  engine.name = "sqlite";
  engine.make = [](const ports::Clock& clock,
                   testing::TempDir& dir) -> std::unique_ptr<ports::Broker> {
    auto db = sqlite::Database::open({dir.file("broker.db"), 2, true});
    if (!db) throw ErrorException(db.error());
    return std::make_unique<sqlite::SqliteBroker>(*db, clock);
  };
  return engine;
}

INSTANTIATE_TEST_SUITE_P(Engines, BrokerContract,
                         ::testing::Values(memory_engine(), sqlite_engine()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace donut
