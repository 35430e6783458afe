// An IdSource for plans decided in unit tests: "id1", "id2", ... in the order they are asked for,
// so a test can name the ids a plan will use.
#pragma once

#include <string>

#include "common/ids.h"

namespace donut::testing {

class CountingIds final : public IdSource {
 public:
  std::string next_id() override { return "id" + std::to_string(++n_); }

 private:
  int n_ = 0;
};

}  // namespace donut::testing
