// The rule both SQL engines apply to the schema version a warehouse records before they migrate
// it: a version newer than the last script this binary carries is refused, not guessed at (an
// older donut must not write to tables a newer one changed).
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace donut::sql {

// `scripts` is an engine's migrations(), oldest first; `where` names the warehouse in the error.
template <class Scripts>
Status refuse_newer_schema(int recorded, const Scripts& scripts, std::string_view where) {
  const int known = scripts.empty() ? 0 : scripts.back().version;
  if (recorded <= known) return ok();
  return make_error(ErrorCode::invalid_argument,
                    std::string(where) + " is at schema version " + std::to_string(recorded) +
                        ", newer than this donut knows (" + std::to_string(known) +
                        "); run a newer donut");
}

}  // namespace donut::sql
