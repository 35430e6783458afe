#include "adapters/mysql/mysql_store.h"

#include "adapters/mysql/database.h"
#include "wiring/store.h"

namespace donut::wiring {

Result<OpenedStore> open_mysql_store(const StoreSettings& settings, const ports::Clock& clock,
                                     CredentialsReader credentials) {
  DONUT_ASSIGN_OR_RETURN(auto parsed, mysql::Database::parse_url(settings.database));
  mysql::Database::Options options;
  options.settings = parsed;
  options.pool_size = settings.mysql_pool_size;
  options.max_idle = settings.mysql_max_idle;
  options.migrate = settings.migrate;
  if (credentials) {
    options.refresh_credentials = [credentials](mysql::Connection::Settings& s) {
      return credentials(s.user, s.password);
    };
  }
  DONUT_ASSIGN_OR_RETURN(auto db, mysql::Database::open(std::move(options)));
  OpenedStore opened;
  opened.schema_version = db->schema_version();
  opened.store = std::make_unique<mysql::MysqlStore>(std::move(db), clock);
  return opened;
}

std::string describe_mysql_store(const StoreSettings& settings) {
  auto parsed = mysql::Database::parse_url(settings.database);
  if (!parsed) return "mysql://(unparsable URL)";
  return "mysql://" + parsed->user + "@" + parsed->host + ":" + std::to_string(parsed->port) + "/" +
         parsed->database;
}

}  // namespace donut::wiring
