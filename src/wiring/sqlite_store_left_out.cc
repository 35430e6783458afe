// The SQLite opener of the Lambda functions' build: deployed, they run on RDS MySQL only, so
// `donut-lambda` leaves SQLite out (0.72 MB of every zip). A warehouse that is not a mysql://
// URL is refused with the reason, instead of being taken for a file name.
#include "wiring/store.h"

namespace donut::wiring {

Result<OpenedStore> open_sqlite_store(const StoreSettings& settings, const ports::Clock&,
                                      CredentialsReader) {
  return make_error(ErrorCode::invalid_argument, "the Lambda functions run on MySQL only: '" +
                                                     settings.database + "' is not a mysql:// URL");
}

}  // namespace donut::wiring
