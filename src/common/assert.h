// DONUT_ASSERT: an invariant the code relies on, checked where it must hold.
//
// A failed assertion is a bug, not an error value: it prints the condition, where it failed
// and an optional explanation to stderr, then aborts (a core dump, a sanitizer report, a
// failing test), because going on would sell stock that is not there or apply an arrival
// twice. Assertions are on in every build, release included, as TigerBeetle keeps them: the
// simulator and `donut up` run the same checks as the debug and sanitizer builds. The price is
// one predictable branch per check, so only cheap predicates go here (values at hand, at most a
// pass over data the caller already walks); bench/orders_http.sh measured the release build
// with and without them (docs/BENCHMARKS.md).
#pragma once

namespace donut::detail {

[[noreturn]] void assertion_failed(const char* condition, const char* file, int line,
                                   const char* explanation) noexcept;

}  // namespace donut::detail

// DONUT_ASSERT(condition) or DONUT_ASSERT(condition, "why it must hold"): the explanation is
// a string literal. DONUT_ASSERTIONS_OFF compiles the checks out (the condition is not
// evaluated); it exists only to measure what they cost, and no preset sets it.
#ifndef DONUT_ASSERTIONS_OFF
#define DONUT_ASSERT(condition, ...)                                                     \
  do {                                                                                   \
    if (!(condition)) [[unlikely]] {                                                     \
      ::donut::detail::assertion_failed(#condition, __FILE__, __LINE__, "" __VA_ARGS__); \
    }                                                                                    \
  } while (false)
#else
#define DONUT_ASSERT(condition, ...) \
  do {                               \
    (void)sizeof(!(condition));      \
  } while (false)
#endif
