// The operator commands: `stock list|set`, `order`, `db migrate`, `restocks`, `queues`,
// `dlq list|show|redrive|purge` and `mail test`. Those that read the warehouse or the queues open
// them directly (migrations applied, queues declared), whether or not roles run; `order` goes
// through a running Sales API. Output is for people (tables) unless a command says otherwise.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "hosts/local/local_system.h"

namespace donut::cli {

// Adds the operator subcommands to `app`; the parsed one sets `action`.
void add_operator_commands(CLI::App& app, local::LocalConfig& config, Action& action);

}  // namespace donut::cli
