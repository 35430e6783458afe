#include "adapters/sqlite/database.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "adapters/sql/schema_version.h"
#include "adapters/sqlite/migrations.h"

namespace donut::sqlite {
namespace {

bool is_busy(int rc) {
  const int primary = rc & 0xFF;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

// --- Statement ------------------------------------------------------------------------------

Statement::~Statement() {
  if (stmt_ != nullptr) reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  position_ = 0;
}

Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind_borrowed(std::string_view value) {
  sqlite3_bind_text(stmt_, ++position_, value.data(), static_cast<int>(value.size()),
                    SQLITE_STATIC);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->error("step");
}

Result<int64_t> Statement::run() {
  for (;;) {
    DONUT_ASSIGN_OR_RETURN(bool row, step());
    if (!row) break;
  }
  return static_cast<int64_t>(sqlite3_changes(connection_->handle()));
}

std::string Statement::column_text(int index) const {
  return std::string(column_view(index));
}

std::string_view Statement::column_view(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))};
}

// --- Connection -----------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, bool full_sync) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return make_error(ErrorCode::unavailable, "cannot open " + path + ": " + message);
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 1);
  // Switching a new file to WAL needs it to itself for a moment, and SQLite answers SQLITE_BUSY
  // there without calling the busy handler: processes opening a fresh warehouse together wait
  // their turn here.
  DONUT_RETURN_IF_ERROR(
      connection->exec_while_busy("PRAGMA journal_mode=WAL", 200, Millis(1), Millis(25)));
  DONUT_RETURN_IF_ERROR(
      connection->exec(full_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  DONUT_RETURN_IF_ERROR(connection->exec("PRAGMA foreign_keys=ON"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return error("prepare");
    }
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  return Statement(it->second, this);
}

Status Connection::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return make_error(is_busy(rc) ? ErrorCode::unavailable : ErrorCode::internal,
                      "sqlite: " + text);
  }
  return ok();
}

Status Connection::run(std::string_view sql) {
  DONUT_ASSIGN_OR_RETURN(auto statement, prepare(sql));
  DONUT_RETURN_IF_ERROR(statement.run());
  return ok();
}

Status Connection::exec_while_busy(std::string_view sql, int tries, Millis step, Millis cap) {
  for (int attempt = 1;; ++attempt) {
    auto status = run(sql);
    if (status || status.error().code != ErrorCode::unavailable || attempt >= tries) return status;
    std::this_thread::sleep_for(std::min(step * attempt, cap));
  }
}

Error Connection::error(std::string_view what) const {
  const int rc = sqlite3_extended_errcode(db_);
  const ErrorCode code = is_busy(rc)                        ? ErrorCode::unavailable
                         : (rc & 0xFF) == SQLITE_CONSTRAINT ? ErrorCode::conflict
                                                            : ErrorCode::internal;
  return make_error(code, "sqlite " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

// --- Database -------------------------------------------------------------------------------

Result<std::shared_ptr<Database>> Database::open(Options options) {
  const bool in_memory = options.path == ":memory:" || options.path.empty();
  if (in_memory) {
    options.path = ":memory:";
    options.pool_size = 1;
  }
  if (options.pool_size < 1) options.pool_size = 1;
  std::shared_ptr<Database> db(new Database(options));
  for (int i = 0; i < options.pool_size; ++i) {
    DONUT_ASSIGN_OR_RETURN(auto connection, Connection::open(options.path, options.full_sync));
    if (i == 0) DONUT_RETURN_IF_ERROR(db->migrate(*connection));
    db->idle_.push_back(connection.get());
    db->connections_.push_back(std::move(connection));
  }
  return db;
}

Database::Lease Database::acquire() {
  std::unique_lock lock(mutex_);
  idle_changed_.wait(lock, [&] { return !idle_.empty(); });
  Connection* c = idle_.back();
  idle_.pop_back();
  return Lease(this, c);
}

void Database::release(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection);
  }
  idle_changed_.notify_one();
}

Status Database::begin(Connection& c) {
  // busy_timeout covers most waits; a long-running writer in another process may outlast it.
  return c.exec_while_busy("BEGIN IMMEDIATE", 21, Millis(10), Millis(200));
}

Status Database::commit(Connection& c) {
  return c.run("COMMIT");
}

void Database::rollback(Connection& c) {
  if (sqlite3_get_autocommit(c.handle()) == 0) (void)c.run("ROLLBACK");
}

Status Database::migrate(Connection& c) {
  DONUT_RETURN_IF_ERROR(begin(c));
  // SQLite's DDL is transactional: all missing migrations land together or not at all.
  auto status = apply_missing_migrations(c);
  if (status) status = commit(c);
  if (!status) rollback(c);
  return status;
}

Status Database::apply_missing_migrations(Connection& c) {
  int current = 0;
  {
    DONUT_ASSIGN_OR_RETURN(auto stmt, c.prepare("PRAGMA user_version"));
    DONUT_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (row) current = static_cast<int>(stmt.column_int(0));
  }
  schema_version_ = current;
  DONUT_RETURN_IF_ERROR(sql::refuse_newer_schema(current, migrations(), options_.path));
  for (const auto& m : migrations()) {
    if (m.version <= current) continue;
    if (auto status = c.exec(std::string(m.sql)); !status) {
      return make_error(ErrorCode::internal,
                        "migration " + std::string(m.name) + " failed: " + status.error().message);
    }
    DONUT_RETURN_IF_ERROR(c.exec("PRAGMA user_version=" + std::to_string(m.version)));
    spdlog::info("sqlite: applied migration {} to {}", m.name, options_.path);
    current = m.version;
  }
  schema_version_ = current;
  return ok();
}

}  // namespace donut::sqlite
