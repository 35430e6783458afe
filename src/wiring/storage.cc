#include "wiring/storage.h"

#include "wiring/sqlite_file.h"

namespace donut::wiring {

Result<Storage> open_storage(const StoreSettings& store, const BrokerSettings& broker,
                             const ports::Topology& topology, const ports::Clock& clock) {
  Storage storage;
  if (!store.is_mysql() && broker.is_embedded()) {
    DONUT_ASSIGN_OR_RETURN(auto file, detail::open_sqlite_file(store.database));
    auto opened = detail::sqlite_store_on(file, clock);
    storage.store = std::move(opened.store);
    storage.schema_version = opened.schema_version;
    storage.broker = detail::embedded_broker_on(std::move(file), clock);
  } else {
    DONUT_ASSIGN_OR_RETURN(auto opened, open_store(store, clock));
    storage.store = std::move(opened.store);
    storage.schema_version = opened.schema_version;
    DONUT_ASSIGN_OR_RETURN(storage.broker, open_broker(broker, clock));
  }
  DONUT_RETURN_IF_ERROR(storage.broker->declare(topology));
  return storage;
}

}  // namespace donut::wiring
