// The MySQL opener of a build without MariaDB Connector/C (DONUT_WITH_MYSQL off or the library
// not found): a mysql:// warehouse is refused with the reason, instead of an unknown scheme.
#include "wiring/store.h"

namespace donut::wiring {

Result<OpenedStore> open_mysql_store(const StoreSettings&, const ports::Clock&, CredentialsReader) {
  return make_error(ErrorCode::invalid_argument,
                    "this donut was built without MySQL (DONUT_WITH_MYSQL is off, or MariaDB "
                    "Connector/C was not found): a mysql:// warehouse is not available");
}

std::string describe_mysql_store(const StoreSettings&) {
  return "mysql://(not available in this build)";
}

}  // namespace donut::wiring
