// `donut db backup <file>` and `donut db restore <file>`: the SQLite warehouse (with its embedded
// queues, the same file) copied while the shop sells, and a copy put in place of a warehouse that
// does not exist yet (a fresh data folder). A warehouse on MySQL/MariaDB is backed up with
// mariadb-dump instead (docs/SELF-HOSTED.md); both commands say so and exit 2.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "hosts/local/local_system.h"

namespace donut::cli {

// Adds `backup` and `restore` to the `db` subcommand (add_operator_commands creates it first).
void add_backup_commands(CLI::App& app, const local::LocalConfig& config, Action& action);

}  // namespace donut::cli
