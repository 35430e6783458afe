// For wiring/ alone: the SQLite file the warehouse and the embedded broker may share. Hosts and
// commands never see it: they open both through open_storage (storage.h), or one of them
// through open_store / open_broker.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"
#include "ports/broker.h"
#include "ports/clock.h"
#include "wiring/store.h"

namespace donut::sqlite {
class Database;
}

namespace donut::wiring::detail {

// Opens `path` (created and migrated if need be) with the connection pool every role uses.
Result<std::shared_ptr<sqlite::Database>> open_sqlite_file(const std::string& path);

// The warehouse (sqlite_store.cc) and the embedded broker (broker.cc) on an opened file.
OpenedStore sqlite_store_on(std::shared_ptr<sqlite::Database> file, const ports::Clock& clock);
std::unique_ptr<ports::Broker> embedded_broker_on(std::shared_ptr<sqlite::Database> file,
                                                  const ports::Clock& clock);

}  // namespace donut::wiring::detail
