// The warehouse and broker schema as versioned SQL scripts (migrations/NNNN_name.sql), embedded
// into the binary at build time. Version N is the N-th script; a database records the version it
// reached in PRAGMA user_version, and `Database::open` applies the missing ones in order, all in
// one transaction. A database at a version newer than the last script is refused.
#pragma once

#include <span>
#include <string_view>

namespace donut::sqlite {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const Migration> migrations();

}  // namespace donut::sqlite
