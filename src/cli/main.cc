// `donut`: the one binary of Donut-States. Every role and every operator command is a
// subcommand (cli/role_commands.h, cli/operator_commands.h, cli/surge_command.h,
// cli/sim_command.h); configuration
// comes from flags, DONUT_* environment variables, or a TOML/INI file given with --config (flags
// win over the environment, which wins over the file). Exit codes: cli/exit_codes.h.
#include <cstdlib>
#include <signal.h>
#include <span>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/backup_command.h"
#include "cli/exit_codes.h"
#include "cli/operator_commands.h"
#include "cli/options.h"
#include "cli/probe_command.h"
#include "cli/role_commands.h"
#include "cli/secret_files.h"
#include "cli/sim_command.h"
#include "cli/surge_command.h"
#include "common/logging.h"
#include "common/open_files.h"

namespace {

// Block the shutdown signals in every thread; the main thread waits for them with sigwait.
void block_shutdown_signals() {
  const sigset_t signals = donut::cli::shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// CLI11 2.1 reads the DONUT_* variables for every subcommand's options, used or not, and
// several subcommands bind the same setting (every role has --port): the environment would
// overwrite a flag through a subcommand that was not even named. The options of the commands
// that were named are applied again, last, so a flag wins over the environment as documented.
void reapply_named_commands_options(CLI::App& app) {
  for (CLI::App* command = &app; command != nullptr;) {
    for (CLI::Option* option : command->get_options()) {
      if (option->count() > 0) option->run_callback();
    }
    const auto named = command->get_subcommands();
    command = named.empty() ? nullptr : named.front();
  }
}

}  // namespace

int main(int argc, char** argv) {
  block_shutdown_signals();
  // Every connection a server holds is a descriptor: take all the system allows us.
  donut::raise_open_files_limit();

  CLI::App app{"Donut-States: donut sales with a self-restocking warehouse", "donut"};
  app.set_config("--config", "", "TOML or INI file with any of the long options");
  app.require_subcommand(1);
  app.fallthrough();  // global options (--data-dir, ...) may follow the subcommand
  app.set_version_flag("--version", "donut 0.1.0");

  donut::local::LocalConfig config;
  donut::cli::LogSettings log;
  donut::cli::Action action;
  donut::cli::add_common_options(app, config, log);
  donut::cli::add_role_commands(app, config, action);
  donut::cli::add_operator_commands(app, config, action);
  donut::cli::add_backup_commands(app, config, action);
  donut::cli::add_probe_command(app, action);
  donut::cli::add_surge_command(app, config, action);
  donut::cli::add_sim_command(app, action);

  if (auto secrets = donut::cli::load_secret_files(); !secrets) {
    return donut::cli::fail(secrets.error());
  }
  CLI11_PARSE(app, argc, argv);
  reapply_named_commands_options(app);
  donut::init_logging(log.level, log.format);
  const std::span<const char* const> args(const_cast<const char* const*>(argv),
                                          static_cast<std::size_t>(argc));
  for (const auto& flag : donut::cli::secrets_on_the_command_line(args)) {
    spdlog::warn(
        "{} given on the command line is visible to every user of this machine (ps); "
        "use its DONUT_* environment variable or its file option instead",
        flag);
  }
  // Never a flag: command lines are visible to every user of the machine.
  if (const char* password = std::getenv("DONUT_SMTP_PASSWORD"))
    config.mail.smtp_password = password;
  return action ? action() : 0;
}
