// The command-line options of `donut`, in groups by concern, each group registered only on the
// commands that use it (`donut relay --help` lists no factory knobs). Every option also reads
// its DONUT_* environment variable; defaults are LocalConfig's (hosts/local/local_system.h).
#pragma once

#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hosts/local/local_system.h"

namespace donut::cli {

struct LogSettings {
  std::string level = "info";
  std::string format = "text";
};

// On the root: where the warehouse, the queues and the secrets are, and logging.
void add_common_options(CLI::App& app, local::LocalConfig& c, LogSettings& log);
// The queues' visibility timeout and receive limit (every role declares the queues).
void add_queue_options(CLI::App& app, local::LocalConfig& c);
// The probe listener every role may open, and when a stuck loop makes it fail.
void add_health_options(CLI::App& app, local::LocalConfig& c);
// The catalogue a role adds on start.
void add_seed_options(CLI::App& app, local::LocalConfig& c);
// The address the sales / arrivals server listens on.
void add_host_option(CLI::App& app, local::LocalConfig& c);
// The sales / arrivals HTTP server's port and limits.
void add_http_server_options(CLI::App& app, local::LocalConfig& c);
// The sale itself.
void add_sales_options(CLI::App& app, local::LocalConfig& c);
// The bearer token of the operator's routes (the shop's /admin, the simulator's knobs).
void add_admin_token_option(CLI::App& app, local::LocalConfig& c);
// The factory's callback secret (the intake verifies it, the simulator signs with it).
void add_callback_options(CLI::App& app, local::LocalConfig& c);
// The flags among `args` (argv) that carry a secret: --admin-token, --callback-secret, and a
// --database, --broker or --smtp-url whose URL holds a password. Every user of the machine can
// read a command line (ps, /proc/<pid>/cmdline), so main() warns about each; the secret files
// and DONUT_* variables are the private ways to give them.
std::vector<std::string> secrets_on_the_command_line(std::span<const char* const> args);
// The restock worker: the factory it calls, leases, retries.
void add_restock_options(CLI::App& app, local::LocalConfig& c);
// The Legacy Factory simulator's server and knobs.
void add_factory_options(CLI::App& app, local::LocalConfig& c);
// Where notifications go.
void add_mail_options(CLI::App& app, local::LocalConfig& c);

// How long the warehouse keeps idempotency keys, published outbox entries, timelines and
// arrivals (app/pruner.h); the relay's process prunes.
void add_retention_options(CLI::App& app, local::LocalConfig& c);

}  // namespace donut::cli
