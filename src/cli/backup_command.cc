#include "cli/backup_command.h"

#include <filesystem>
#include <iostream>
#include <memory>

#include "adapters/sqlite/backup.h"
#include "common/private_files.h"
#include "common/time.h"

namespace donut::cli {
namespace {

namespace fs = std::filesystem;
using local::LocalConfig;

Result<std::string> sqlite_warehouse(const LocalConfig& config) {
  const auto store = config.store_settings();
  if (store.is_mysql()) {
    return make_error(ErrorCode::invalid_argument,
                      "the warehouse is on MySQL/MariaDB: back it up with `mariadb-dump "
                      "--single-transaction` (docs/SELF-HOSTED.md, Backups)");
  }
  return store.database;
}

int backup(const LocalConfig& config, const std::string& file) {
  auto warehouse = sqlite_warehouse(config);
  if (!warehouse) return fail(warehouse.error());
  const TimePoint began = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  auto copied = sqlite::copy_database(*warehouse, file);
  if (!copied) return fail(copied.error());
  std::cout << "backed up " << *warehouse << " to " << file << ": " << copied->pages << " pages, "
            << copied->bytes << " bytes, as of " << format_rfc3339(began) << "\n";
  return 0;
}

int restore(const LocalConfig& config, const std::string& file) {
  auto warehouse = sqlite_warehouse(config);
  if (!warehouse) return fail(warehouse.error());
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-journal"}) {
    if (fs::exists(*warehouse + suffix, ec)) {
      return fail(Error{ErrorCode::invalid_argument,
                        *warehouse + suffix +
                            " exists: restore into a fresh data folder, or move the warehouse "
                            "away first"});
    }
  }
  auto version = sqlite::schema_version_of(file);
  if (!version) return fail(version.error());
  if (*version == 0) {
    return fail(Error{ErrorCode::invalid_argument, file + " is not a Donut-States warehouse"});
  }
  // The data folder, when restore makes it, is its owner's alone, as every command makes it.
  if (const auto folder = fs::path(*warehouse).parent_path(); !folder.empty()) {
    if (auto made = create_private_directory(folder.string()); !made) return fail(made.error());
  }
  auto copied = sqlite::copy_database(file, *warehouse);
  if (!copied) return fail(copied.error());
  std::cout << "restored " << file << " (schema version " << *version << ") to " << *warehouse
            << "\n";
  return 0;
}

}  // namespace

void add_backup_commands(CLI::App& app, const LocalConfig& config, Action& action) {
  CLI::App* db = app.get_subcommand("db");
  auto file = std::make_shared<std::string>();
  auto* backup_cmd = db->add_subcommand(
      "backup", "Copy the SQLite warehouse and its queues to <file>, consistent while it sells");
  backup_cmd->add_option("file", *file, "Where the copy goes (replaced atomically)")->required();
  backup_cmd->callback(
      [&config, &action, file] { action = [&config, file] { return backup(config, *file); }; });
  auto* restore_cmd = db->add_subcommand(
      "restore", "Put a backup in place as the warehouse of a data folder that has none");
  restore_cmd->add_option("file", *file, "A file written by `donut db backup`")->required();
  restore_cmd->callback(
      [&config, &action, file] { action = [&config, file] { return restore(config, *file); }; });
}

}  // namespace donut::cli
