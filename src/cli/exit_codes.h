// How `donut` ends: the exit codes every command shares, the one way an error is printed, and the
// signals that stop it.
//   0  done
//   1  a refused business outcome (an order out of stock; a surge invariant broken)
//   2  bad usage or bad input (CLI11's own parse errors use its codes, 100 and up)
//   3  a dependency is unavailable or did not answer in time
#pragma once

#include <functional>
#include <signal.h>

#include "common/error.h"

namespace donut::cli {

int exit_code_for(const Error& error);

// Prints "donut: <message>" to stderr and returns the exit code for the error.
int fail(const Error& error);

// What a parsed subcommand does once logging is set up; returns the exit code.
using Action = std::function<int()>;

// The shutdown signals, SIGINT and SIGTERM. `donut` blocks them in every thread (main.cc) so
// that a role can shut down in order (role_commands.cc waits for them). A command with nothing
// to shut down in order (a simulator sweep, a surge) calls
// `let_shutdown_signals_end_the_process` first, before it starts threads, so that Ctrl-C ends it
// at once.
sigset_t shutdown_signals();
void let_shutdown_signals_end_the_process();

}  // namespace donut::cli
