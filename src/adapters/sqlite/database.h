// A SQLite database file shared by the warehouse store and the embedded broker.
//
// Holds a small pool of connections to one file in WAL mode. Each connection caches its
// prepared statements (keyed by the SQL text), so hot paths never re-parse SQL. Every
// statement is prepared with bound parameters; no SQL is ever assembled from values.
//
// Durability: `synchronous=FULL` by default, so a transaction that returned from COMMIT is on
// disk even if the machine loses power. Throughput comes from group commit (many orders per
// transaction, see app/order_service.h), not from relaxing this setting.
//
// Threading: `with_connection` and `transaction` may be called from any thread; a connection is
// used by one thread at a time. Writers serialise on SQLite's write lock (BEGIN IMMEDIATE);
// other processes may open the same file (the roles of `donut` run as separate processes).
// Errors: SQLite failures become `Error{unavailable}` for a busy/locked file and
// `Error{internal}` otherwise; `ConstraintViolation` surfaces UNIQUE/CHECK failures.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <sqlite3.h>

#include "common/error.h"
#include "common/time.h"

namespace donut::sqlite {

class Connection;

// A prepared statement borrowed from a connection's cache; reset when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, Connection* connection) : stmt_(stmt), connection_(connection) {}
  Statement(Statement&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), connection_(other.connection_) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  // Makes the statement ready to be bound and run again (for loops over many rows).
  void reset();

  // Binding: 1-based positions as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view value);  // copied by SQLite (SQLITE_TRANSIENT)
  Statement& bind_null(int index);
  Statement& bind_optional(int index, std::string_view value) {  // empty -> NULL
    return value.empty() ? bind_null(index) : bind(index, value);
  }
  // Positional binding: each call binds the next parameter (the API shared with MySQL).
  Statement& bind(int64_t value) { return bind(++position_, value); }
  Statement& bind(std::string_view value) { return bind(++position_, value); }
  Statement& bind_null() { return bind_null(++position_); }
  Statement& bind_optional(std::string_view value) { return bind_optional(++position_, value); }
  // Binds `value` without copying it: the caller keeps it alive and unchanged until the
  // statement has run (the rows of a batch, bound many to a statement).
  Statement& bind_borrowed(std::string_view value);

  // Steps once: true while a row is available.
  Result<bool> step();
  Result<bool> next() { return step(); }
  // Runs to completion (INSERT/UPDATE/DELETE); returns the number of rows changed.
  Result<int64_t> run();

  int64_t column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
  bool column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  std::string column_text(int index) const;
  std::string_view column_view(int index) const;  // valid until the next step

 private:
  sqlite3_stmt* stmt_;
  Connection* connection_;
  int position_ = 0;
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, bool full_sync);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A cached prepared statement for `sql` (which must outlive nothing: the text is copied).
  Result<Statement> prepare(std::string_view sql);
  Status exec(const std::string& sql);  // for schema scripts and pragmas
  // One statement without parameters or rows (BEGIN, COMMIT), run from the statement cache.
  Status run(std::string_view sql);
  // `run`, tried again while SQLite answers busy, up to `tries` times, sleeping
  // min(step x try, cap) after each busy try. For the waits busy_timeout does not cover.
  Status exec_while_busy(std::string_view sql, int tries, Millis step, Millis cap);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  Error error(std::string_view what) const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  // Looked up by the SQL text without building a std::string for it.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> statements_;
};

class Database {
 public:
  struct Options {
    std::string path;       // file path, or ":memory:" for a private in-memory database
    int pool_size = 4;      // connections; ":memory:" always uses 1
    bool full_sync = true;  // synchronous=FULL (see the top comment)
  };

  // Opens (creating if needed) and migrates the schema to the newest version.
  static Result<std::shared_ptr<Database>> open(Options options);

  // Runs `work` on a pooled connection.
  template <class F>
  auto with_connection(F&& work) -> decltype(work(std::declval<Connection&>())) {
    auto lease = acquire();
    return work(*lease.connection);
  }

  // Runs `work` inside BEGIN IMMEDIATE ... COMMIT; rolls back when `work` returns an Error.
  // Retries the whole transaction while another process holds the write lock.
  template <class T>
  Result<T> transaction(const std::function<Result<T>(Connection&)>& work) {
    auto lease = acquire();
    Connection& c = *lease.connection;
    DONUT_RETURN_IF_ERROR(begin(c));
    auto result = work(c);
    if (!result) {
      rollback(c);
      return result;
    }
    if (auto committed = commit(c); !committed) {
      rollback(c);
      return committed.error();
    }
    return result;
  }

  int schema_version() const { return schema_version_; }
  const std::string& path() const { return options_.path; }

 private:
  struct Lease {
    Database* owner;
    Connection* connection;
    Lease(Database* o, Connection* c) : owner(o), connection(c) {}
    Lease(const Lease&) = delete;
    ~Lease() { owner->release(connection); }
  };

  explicit Database(Options options) : options_(std::move(options)) {}
  Lease acquire();
  void release(Connection* connection);
  Status begin(Connection& c);
  Status commit(Connection& c);
  void rollback(Connection& c);
  Status migrate(Connection& c);
  Status apply_missing_migrations(Connection& c);

  Options options_;
  int schema_version_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::mutex mutex_;
  std::condition_variable idle_changed_;
};

}  // namespace donut::sqlite
