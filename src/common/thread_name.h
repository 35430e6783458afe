// Names the calling thread, so `top -H`, `perf` and debuggers show what each thread of a role
// is for (sales-writer, http, a queue's consumer). Linux keeps 15 characters; longer names are
// cut. Naming is best effort: a failure changes nothing else.
#pragma once

#include <pthread.h>
#include <string>
#include <string_view>

namespace donut {

inline void name_this_thread(std::string_view name) {
  const std::string kept(name.substr(0, 15));
  (void)pthread_setname_np(pthread_self(), kept.c_str());
}

}  // namespace donut
