// Errors as values.
//
// Every fallible operation that crosses a port or a process boundary returns `Result<T>`: either
// the value or an `Error` with a machine-readable code and a human message. Exceptions stay
// inside adapters (third-party libraries throw); they are converted to `Error` at the port.
// The HTTP layer maps `ErrorCode` to a status and the `{"error":{"code","message"}}` body;
// the CLI maps it to a message on stderr and a non-zero exit.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace donut {

enum class ErrorCode {
  invalid_argument,   // the caller sent something malformed or out of range
  not_found,          // the named thing does not exist
  conflict,           // the request clashes with the current state (idempotency key reuse, ...)
  unauthorized,       // missing or wrong credentials / signature
  forbidden,          // credentials valid but not allowed
  too_large,          // payload over the configured limit
  unsupported_media,  // wrong content type
  rate_limited,       // too many requests from this client
  unavailable,        // a dependency (database, broker, factory) is down; retry later
  timeout,            // a dependency did not answer in time; retry later
  internal,           // a bug or an unexpected engine error
};

// Stable, lower-case name used in JSON bodies, logs and metrics.
std::string_view to_string(ErrorCode code) noexcept;

// True for errors that a retry may cure (dependency down, timeout, rate limit).
bool is_transient(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

// Thrown only by Result<T>::value() on an error; callers that want exceptions opt in that way.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error error)
      : std::runtime_error(std::string(to_string(error.code)) + ": " + error.message),
        error_(std::move(error)) {}
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

// Found by ADL from boost::system::result<T, Error>::value().
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location&);

template <class T>
using Result = boost::system::result<T, Error>;

using Status = Result<void>;

// Success value for Result<void>.
inline Status ok() {
  return {};
}

}  // namespace donut

// Early return of an Error, for code that chains fallible steps:
//   DONUT_ASSIGN_OR_RETURN(auto product, store.get_product(id));
//   DONUT_RETURN_IF_ERROR(broker.send(queue, message));
// The enclosing function must return a Result (any T) or Status.
#define DONUT_CONCAT_INNER_(a, b) a##b
#define DONUT_CONCAT_(a, b) DONUT_CONCAT_INNER_(a, b)
#define DONUT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp) return tmp.error();                      \
  lhs = std::move(*tmp)
#define DONUT_ASSIGN_OR_RETURN(lhs, expr) \
  DONUT_ASSIGN_OR_RETURN_IMPL_(DONUT_CONCAT_(donut_result_, __LINE__), lhs, expr)
#define DONUT_RETURN_IF_ERROR(expr)                                                \
  do {                                                                             \
    if (auto donut_status_ = (expr); !donut_status_) return donut_status_.error(); \
  } while (false)
