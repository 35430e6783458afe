// The MySQL/MariaDB schema as versioned SQL scripts (migrations/NNNN_name.sql), embedded at
// build time. Applied versions are recorded in the schema_migrations table; one process at a
// time applies them (a named lock). MySQL commits each DDL statement on its own, so a script
// is written to be rerun safely (IF NOT EXISTS) should it fail half-way. A database at a
// version newer than the last script is refused rather than used.
#pragma once

#include <span>
#include <string_view>

namespace donut::mysql {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> migrations();

}  // namespace donut::mysql
