#include "common/open_files.h"

#include <limits>
#include <sys/resource.h>

namespace donut {
namespace {

std::size_t as_count(rlim_t limit) {
  if (limit == RLIM_INFINITY) return std::numeric_limits<int>::max();
  return static_cast<std::size_t>(limit);
}

}  // namespace

std::size_t raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // The hard limit may be "unlimited" while the kernel caps descriptors at nr_open: then
    // the raise fails and the soft limit stays.
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return as_count(limit.rlim_cur);
}

std::size_t open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  return as_count(limit.rlim_cur);
}

}  // namespace donut
