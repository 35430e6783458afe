// Online copies of a SQLite warehouse file (the warehouse and, by default, its embedded queues:
// one file) through SQLite's backup API.
//
// `copy_database` copies every page of `source` in one read transaction, so the copy is the
// database as of one instant even while other processes keep committing (WAL readers never block
// writers, and writers never make a one-step copy restart). The copy is written beside
// `destination`, checked (`PRAGMA quick_check`), made durable (fsync) and renamed into place, so
// `destination` is either the previous file or a whole copy, never half of one. It is left in
// rollback-journal mode: one self-contained file; the warehouse turns WAL on again when it opens
// it.
// Errors: a missing or unreadable source, a corrupt copy: `invalid_argument`; a source locked
// past the retries, a full disk: `unavailable`.
#pragma once

#include <cstdint>
#include <string>

#include "common/error.h"

namespace donut::sqlite {

struct CopyReport {
  int64_t pages = 0;
  int64_t bytes = 0;
};

Result<CopyReport> copy_database(const std::string& source, const std::string& destination);

// The schema version recorded in a database file (PRAGMA user_version), read-only.
Result<int> schema_version_of(const std::string& file);

}  // namespace donut::sqlite
