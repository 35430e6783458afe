// The process's open-files limit. A server holding thousands of connections needs a file
// descriptor for each, and many systems start a process with a soft limit (often 1024) far
// below the hard limit it may raise itself to.
#pragma once

#include <cstddef>

namespace donut {

// Raises the soft RLIMIT_NOFILE to the hard limit where the system allows it (best effort: on
// failure the limit stays as it was). Returns the soft limit in effect afterwards.
std::size_t raise_open_files_limit();

// The soft RLIMIT_NOFILE in effect now.
std::size_t open_files_limit();

}  // namespace donut
