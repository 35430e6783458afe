#include "adapters/sqlite/sqlite_store.h"

#include "adapters/sqlite/database.h"
#include "wiring/store.h"

namespace donut::wiring {

Result<OpenedStore> open_sqlite_store(const StoreSettings& settings, const ports::Clock& clock,
                                      CredentialsReader) {
  OpenedStore opened;
  DONUT_ASSIGN_OR_RETURN(opened.sqlite, sqlite::Database::open({settings.database, 4, true}));
  opened.store = std::make_unique<sqlite::SqliteStore>(opened.sqlite, clock);
  opened.schema_version = opened.sqlite->schema_version();
  return opened;
}

}  // namespace donut::wiring
