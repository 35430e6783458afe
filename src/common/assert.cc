#include "common/assert.h"

#include <cstdio>
#include <cstdlib>

namespace donut::detail {

void assertion_failed(const char* condition, const char* file, int line,
                      const char* explanation) noexcept {
  std::fprintf(stderr, "%s:%d: assertion failed: %s%s%s\n", file, line, condition,
               explanation[0] != '\0' ? ": " : "", explanation);
  std::fflush(stderr);
  std::abort();
}

}  // namespace donut::detail
