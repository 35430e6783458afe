// The role commands: `donut up` (every role in one process, with a banner) and `donut sales`,
// `arrivals`, `restock`, `notifier`, `relay`, `factory` (one role each, for several processes).
// Each is offered only the options its role reads. A role runs until SIGINT or SIGTERM, then
// stops in order (see LocalSystem) and exits 0.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "hosts/local/local_system.h"

namespace donut::cli {

// Adds the role subcommands to `app`; the parsed one sets `action`, which runs its roles on
// `config` (filled by the parse) until a shutdown signal.
void add_role_commands(CLI::App& app, local::LocalConfig& config, Action& action);

// Blocks until SIGINT or SIGTERM (blocked in every thread by main).
void wait_for_shutdown_signal();

}  // namespace donut::cli
