#include "adapters/sqlite/sqlite_store.h"

#include "adapters/sqlite/database.h"
#include "wiring/sqlite_file.h"
#include "wiring/store.h"

namespace donut::wiring {

namespace detail {

Result<std::shared_ptr<sqlite::Database>> open_sqlite_file(const std::string& path) {
  return sqlite::Database::open({path, 4, true});
}

OpenedStore sqlite_store_on(std::shared_ptr<sqlite::Database> file, const ports::Clock& clock) {
  OpenedStore opened;
  opened.schema_version = file->schema_version();
  opened.store = std::make_unique<sqlite::SqliteStore>(std::move(file), clock);
  return opened;
}

}  // namespace detail

Result<OpenedStore> open_sqlite_store(const StoreSettings& settings, const ports::Clock& clock,
                                      CredentialsReader) {
  DONUT_ASSIGN_OR_RETURN(auto file, detail::open_sqlite_file(settings.database));
  return detail::sqlite_store_on(std::move(file), clock);
}

}  // namespace donut::wiring
