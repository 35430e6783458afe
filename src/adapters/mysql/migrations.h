// The MySQL/MariaDB schema as versioned SQL scripts (migrations/NNNN_name.sql), embedded at
// build time. Applied versions are recorded in the schema_migrations table.
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
