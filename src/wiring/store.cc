#include "wiring/store.h"

namespace donut::wiring {
namespace {

struct StoreEngine {
  std::string_view scheme;  // the URL's start; empty: any other value (a file)
  Result<OpenedStore> (*open)(const StoreSettings&, const ports::Clock&, CredentialsReader);
};

constexpr StoreEngine kStoreEngines[] = {
    {"mysql://", open_mysql_store},
    {"", open_sqlite_store},
};

}  // namespace

bool StoreSettings::is_mysql() const {
  return database.starts_with("mysql://");
}

Result<OpenedStore> open_store(const StoreSettings& settings, const ports::Clock& clock,
                               CredentialsReader credentials) {
  for (const auto& engine : kStoreEngines) {
    if (settings.database.starts_with(engine.scheme)) {
      return engine.open(settings, clock, std::move(credentials));
    }
  }
  return make_error(ErrorCode::invalid_argument, "no store engine for " + settings.database);
}

std::string describe_store(const StoreSettings& settings) {
  return settings.is_mysql() ? describe_mysql_store(settings) : settings.database;
}

}  // namespace donut::wiring
