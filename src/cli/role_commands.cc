#include "cli/role_commands.h"

#include <filesystem>
#include <iostream>
#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "cli/options.h"
#include "common/logging.h"

namespace donut::cli {
namespace {

using local::LocalConfig;
using local::Roles;

// The option groups a role reads (options.h).
enum OptionGroup : unsigned {
  kHttpServer = 1u << 0,
  kSales = 1u << 1,
  kCallback = 1u << 2,
  kRestock = 1u << 3,
  kFactory = 1u << 4,
  kMail = 1u << 5,
};

struct RoleCommand {
  const char* name;
  const char* help;
  Roles roles;
  unsigned options;
};

Roles only(bool Roles::*role) {
  Roles roles;
  roles.*role = true;
  return roles;
}

const RoleCommand kRoleCommands[] = {
    {"up", "Run every role in one process on embedded defaults", Roles::all(),
     kHttpServer | kSales | kCallback | kRestock | kFactory | kMail},
    {"sales", "Run the Sales API", only(&Roles::sales), kHttpServer | kSales},
    {"arrivals", "Run the stock-arrival intake and worker", only(&Roles::arrivals),
     kHttpServer | kCallback},
    // The restock worker signs its manufacture requests with the callback secret.
    {"restock", "Run the restock worker (factory-requests queue)", only(&Roles::restock),
     kRestock | kCallback},
    {"notifier", "Run the e-mail notifier and the dead-letter monitor", only(&Roles::notifier),
     kMail},
    {"relay", "Run the outbox relay (warehouse events -> broker)", only(&Roles::relay), 0},
    {"factory", "Run the Legacy Factory API simulator", only(&Roles::factory),
     kCallback | kFactory},
};

void add_options(CLI::App& sub, const RoleCommand& role, LocalConfig& c) {
  add_queue_options(sub, c);
  add_health_options(sub, c);
  add_seed_options(sub, c);
  if (role.options & kHttpServer) add_host_option(sub, c);
  if (role.options & kHttpServer) add_http_server_options(sub, c);
  if (role.options & kSales) add_sales_options(sub, c);
  if (role.options & (kSales | kFactory)) add_admin_token_option(sub, c);
  if (role.options & kCallback) add_callback_options(sub, c);
  if (role.options & kRestock) add_restock_options(sub, c);
  if (role.options & kFactory) add_factory_options(sub, c);
  if (role.options & kMail) add_mail_options(sub, c);
  if (role.roles.relay) add_retention_options(sub, c);  // the relay's process prunes
}

void print_banner(local::LocalSystem& s) {
  const auto& c = s.config();
  std::cout << "Donut-States is up.\n"
            << "  Sales API      " << s.url() << "\n"
            << "  Factory        " << (s.factory_url().empty() ? c.factory.url : s.factory_url())
            << "\n"
            << "  Warehouse      " << wiring::describe_store(c.store_settings()) << "\n"
            << "  Mail           " << wiring::describe_mail(c.mail_settings()) << "\n"
            << "  Admin token    " << (std::filesystem::path(c.data_dir) / "admin-token").string()
            << "\n"
            << (s.health_url().empty() ? "" : "  Health         " + s.health_url() + "/healthz\n")
            << "\nTry:\n"
            << "  curl -s " << s.url() << "/v1/products\n"
            << "  curl -s -X POST " << s.url()
            << "/v1/orders -H 'Content-Type: application/json' "
               "-d '{\"product_id\":\"CP-502104\",\"quantity\":5}'\n"
            << "  donut queues --data-dir " << c.data_dir << "\n"
            << (c.mail.mailer == "file" ? "  ls " + c.mail_settings().dir + "\n" : "")
            << "\nCtrl-C stops it.\n"
            << std::flush;
}

// On stdout, for scripts that start a role and need its address (port 0 picks one), whatever
// the log level; with JSON logs, as JSON log lines, so that stdout stays one object per line.
void print_ready(local::LocalSystem& s) {
  auto say = [](const std::string& line) {
    if (log_format_is_json()) {
      const auto now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
      std::cout << json_log_line(format_rfc3339(now), "info", std::to_string(::gettid()), line)
                << std::endl;
    } else {
      std::cout << line << std::endl;
    }
  };
  if (!s.url().empty()) say("listening on " + s.url());
  if (!s.factory_url().empty()) say("factory simulator on " + s.factory_url());
  if (!s.health_url().empty()) say("health on " + s.health_url());
  say("ready");
}

int run_roles(LocalConfig config, bool banner) {
  auto system = local::LocalSystem::start(std::move(config));
  if (!system) return fail(system.error());
  auto& s = **system;
  if (banner && !log_format_is_json()) {
    print_banner(s);
  } else {
    print_ready(s);
  }
  wait_for_shutdown_signal();
  s.stop();
  return 0;
}

}  // namespace

void wait_for_shutdown_signal() {
  const sigset_t signals = shutdown_signals();
  int received = 0;
  sigwait(&signals, &received);
  spdlog::info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
}

void add_role_commands(CLI::App& app, LocalConfig& config, Action& action) {
  for (const auto& role : kRoleCommands) {
    auto* sub = app.add_subcommand(role.name, role.help);
    add_options(*sub, role, config);
    sub->footer(
        "The common options (--data-dir, --database, --broker, --log-level, ...) are in "
        "`donut --help`; they may come before or after the command.");
    sub->callback([&config, &action, &role] {
      action = [&config, &role] {
        LocalConfig c = config;
        c.roles = role.roles;
        const bool up = std::string_view(role.name) == "up";
        // `up` with a named factory talks to it instead of starting the simulator.
        if (up && !c.factory.url.empty()) c.roles.factory = false;
        return run_roles(std::move(c), up);
      };
    });
  }
}

}  // namespace donut::cli
