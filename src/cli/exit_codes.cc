#include "cli/exit_codes.h"

#include <iostream>
#include <signal.h>

namespace donut::cli {

sigset_t shutdown_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

void let_shutdown_signals_end_the_process() {
  const sigset_t signals = shutdown_signals();
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

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
