#include "cli/exit_codes.h"

#include <iostream>

namespace donut::cli {

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::unavailable:
    case ErrorCode::timeout:
      return 3;
    default:
      return 2;
  }
}

int fail(const Error& error) {
  std::cerr << "donut: " << error.message << "\n";
  return exit_code_for(error);
}

}  // namespace donut::cli
