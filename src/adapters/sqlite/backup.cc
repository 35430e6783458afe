#include "adapters/sqlite/backup.h"

#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <thread>
#include <unistd.h>

#include <sqlite3.h>

#include "common/ids.h"
#include "common/private_files.h"

namespace donut::sqlite {
namespace {

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Result<Db> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return make_error(ErrorCode::invalid_argument,
                      "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

// The first column of the first row of `sql`, as text.
Result<std::string> scalar(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    return make_error(ErrorCode::invalid_argument, sqlite3_errmsg(db));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(stmt, sqlite3_finalize);
  const int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) {
    return make_error(rc == SQLITE_BUSY ? ErrorCode::unavailable : ErrorCode::invalid_argument,
                      sqlite3_errmsg(db));
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  return std::string(text ? text : "");
}

// All pages in one step: one read transaction, one instant. A busy source (a checkpoint or a
// writer holding a lock SQLite cannot wait out) is retried.
Result<int64_t> copy_pages(sqlite3* from, sqlite3* to, const std::string& source) {
  sqlite3_backup* backup = sqlite3_backup_init(to, "main", from, "main");
  if (backup == nullptr) return make_error(ErrorCode::internal, sqlite3_errmsg(to));
  int rc = SQLITE_OK;
  for (int tries = 0; tries < 100; ++tries) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const int64_t pages = sqlite3_backup_pagecount(backup);
  sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE) return pages;
  const ErrorCode code = rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_FULL
                             ? ErrorCode::unavailable
                             : ErrorCode::invalid_argument;
  return make_error(code, "cannot copy " + source + ": " + sqlite3_errstr(rc));
}

Status sync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0 || ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    return make_error(ErrorCode::unavailable, "cannot sync " + path);
  }
  ::close(fd);
  return ok();
}

// Copies into `partial`, then checks it and leaves it as one durable file.
Result<int64_t> write_copy(const std::string& source, const std::string& partial) {
  // Read-write without create: a WAL file that no process has open needs its -shm made.
  DONUT_ASSIGN_OR_RETURN(Db from, open(source, SQLITE_OPEN_READWRITE));
  // The copy leaves the data folder: it is made 0600 in the open() itself (an empty file is an
  // empty database), never with SQLite's 0644 less the umask.
  if (auto made = create_private_file(partial, ""); !made) {
    return make_error(ErrorCode::invalid_argument, made.error().message);  // as open() says
  }
  DONUT_ASSIGN_OR_RETURN(Db to, open(partial, SQLITE_OPEN_READWRITE));
  DONUT_ASSIGN_OR_RETURN(int64_t pages, copy_pages(from.get(), to.get(), source));
  DONUT_ASSIGN_OR_RETURN(std::string mode, scalar(to.get(), "PRAGMA journal_mode=DELETE"));
  if (mode != "delete")
    return make_error(ErrorCode::internal, "the copy stayed in " + mode + " mode");
  DONUT_ASSIGN_OR_RETURN(std::string check, scalar(to.get(), "PRAGMA quick_check"));
  if (check != "ok") {
    return make_error(ErrorCode::invalid_argument,
                      "the copy of " + source + " is damaged: " + check);
  }
  to.reset();
  DONUT_RETURN_IF_ERROR(sync_path(partial, O_RDONLY));
  return pages;
}

}  // namespace

Result<CopyReport> copy_database(const std::string& source, const std::string& destination) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) {
    return make_error(ErrorCode::invalid_argument, source + " is not a database file");
  }
  const fs::path target = fs::absolute(destination, ec);
  const std::string partial = target.string() + ".partial-" + random_hex(4);
  auto pages = write_copy(source, partial);
  if (!pages) {
    fs::remove(partial, ec);
    return pages.error();
  }
  fs::rename(partial, target, ec);
  if (ec) {
    fs::remove(partial, ec);
    return make_error(ErrorCode::unavailable, "cannot write " + target.string());
  }
  DONUT_RETURN_IF_ERROR(sync_path(target.parent_path().string(), O_RDONLY | O_DIRECTORY));
  return CopyReport{*pages, static_cast<int64_t>(fs::file_size(target, ec))};
}

Result<int> schema_version_of(const std::string& file) {
  DONUT_ASSIGN_OR_RETURN(Db db, open(file, SQLITE_OPEN_READONLY));
  DONUT_ASSIGN_OR_RETURN(std::string version, scalar(db.get(), "PRAGMA user_version"));
  return std::stoi(version);
}

}  // namespace donut::sqlite
