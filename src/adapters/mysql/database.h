// A MySQL/MariaDB database over MariaDB Connector/C: a pool of connections, each with its own
// cache of server-side prepared statements. Every statement binds its parameters; no SQL is
// assembled from values.
//
// Failure model: a lost or refused connection is `Error{unavailable}` (the HTTP layer answers
// 503) and the broken connection is dropped; a later use reconnects (spaced out by a
// ReconnectGate while the server is away, logged once per outage), so the store recovers by
// itself when the server comes back. A connection lost while COMMIT was on its way is
// `Error{timeout}`: the outcome is unknown, and it is not retried. No call waits on a silent
// server for more than about 10 s per read or write. Deadlocks and lock-wait timeouts retry the
// whole transaction a few times before they surface.
//
// Threading: any thread may call `with_connection` / `transaction`; a connection is used by one
// thread at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <mysql.h>

#include "common/error.h"
#include "common/reconnect_gate.h"
#include "common/time.h"

namespace donut::mysql {

class Connection;

// A prepared statement borrowed from a connection's cache. Bind parameters in order, then either
// `run()` (changes) or `next()` (rows).
class Statement {
 public:
  Statement(MYSQL_STMT* stmt, Connection* connection) : stmt_(stmt), connection_(connection) {}
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int64_t value);
  Statement& bind(std::string_view value);
  Statement& bind_null();
  Statement& bind_optional(std::string_view value) {
    return value.empty() ? bind_null() : bind(value);
  }
  // Binds `value` without copying it: the caller keeps it alive and unchanged until the
  // statement has run (the rows of a batch, bound many to a statement).
  Statement& bind_borrowed(std::string_view value);

  Result<int64_t> run();  // affected rows
  Result<bool> next();    // executes on the first call; true while a row is available
  void reset();           // ready to bind and run again

  int64_t column_int(int index) const;
  bool column_is_null(int index) const { return nulls_[index] != 0; }
  std::string column_text(int index) const;
  std::string_view column_view(int index) const;  // valid until the next fetch
  int64_t insert_id() const { return static_cast<int64_t>(mysql_stmt_insert_id(stmt_)); }

 private:
  struct Param {
    enum Kind { integer, text, null } kind = null;
    long long number = 0;
    std::string value;          // text bound by copy
    std::string_view borrowed;  // text bound without a copy (`bind_borrowed`)
    bool is_borrowed = false;
    unsigned long length = 0;
  };
  Status execute();
  // The error of a failed execution, with the statement put back to prepared.
  Error failed(std::string_view what);

  MYSQL_STMT* stmt_;
  Connection* connection_;
  std::vector<Param> params_;
  bool executed_ = false;
  std::vector<MYSQL_BIND> result_binds_;
  std::vector<std::vector<char>> buffers_;
  std::vector<unsigned long> lengths_;
  std::vector<my_bool> nulls_;
  std::vector<my_bool> errors_;
};

class Connection {
 public:
  struct Settings {
    std::string host = "127.0.0.1";
    unsigned port = 3306;
    std::string user = "root";
    std::string password;
    std::string database = "donut";
    // A file of CA certificates (PEM): when set, the connection is TLS only and the server's
    // certificate must chain to one of them and name `host` (RDS: its CA bundle). Empty: the
    // client library's default, which may fall back to plain TCP.
    std::string tls_ca;
  };
  static Result<std::unique_ptr<Connection>> open(const Settings& settings);
  ~Connection();

  Result<Statement> prepare(std::string_view sql);
  Status query(std::string_view sql);  // control statements without values (BEGIN, DDL)
  Error error_from(unsigned code, std::string_view message, std::string_view what);
  Error error(std::string_view what);
  Error statement_error(MYSQL_STMT* stmt, std::string_view what);
  bool broken() const { return broken_; }
  MYSQL* handle() { return mysql_; }

 private:
  explicit Connection(MYSQL* mysql) : mysql_(mysql) {}
  // Looks a statement up by its text without copying it (a batch's INSERT is a few KB).
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  MYSQL* mysql_;
  bool broken_ = false;
  std::unordered_map<std::string, MYSQL_STMT*, TextHash, std::equal_to<>> statements_;
};

class Database {
 public:
  struct Options {
    Connection::Settings settings;
    int pool_size = 8;
    // Reads the user and password again into the settings given (a rotated secret); called
    // once when the server refuses the ones in use. Optional.
    std::function<Status(Connection::Settings&)> refresh_credentials;
    // A pooled connection idle longer than this is closed and replaced instead of used (zero:
    // kept however long). Set it under the server's wait_timeout: a connection the server has
    // closed for idleness fails its next statement, and only a transaction retries that.
    Millis max_idle{0};
    // Create the database and apply missing migrations (a user allowed to). False for a role's
    // user (role_users.h), which may not: the schema must then be the one this build knows.
    bool migrate = true;
  };

  // Connects once (the server must be up), then migrates or checks the schema version.
  static Result<std::shared_ptr<Database>> open(Options options);

  // Parses mysql://user:password@host:port/database[?ssl-ca=<CA bundle file>].
  static Result<Connection::Settings> parse_url(std::string_view url);

  template <class F>
  auto with_connection(F&& work) -> decltype(work(std::declval<Connection&>())) {
    DONUT_ASSIGN_OR_RETURN(auto lease, acquire());
    return work(*lease.connection);
  }

  template <class T>
  Result<T> transaction(const std::function<Result<T>(Connection&)>& work) {
    return run_transaction(work, false);
  }

  // The same at READ COMMITTED, for a transaction that reads rows which may not exist yet and
  // then inserts them (the outbox's claims): under REPEATABLE READ each such read takes a gap
  // lock, and two of them then wait on each other's INSERT, a deadlock on every contended try.
  template <class T>
  Result<T> transaction_read_committed(const std::function<Result<T>(Connection&)>& work) {
    return run_transaction(work, true);
  }

  int schema_version() const { return schema_version_; }

 private:
  template <class T>
  Result<T> run_transaction(const std::function<Result<T>(Connection&)>& work,
                            bool read_committed) {
    for (int attempt = 1;; ++attempt) {
      DONUT_ASSIGN_OR_RETURN(auto lease, acquire());
      Connection& c = *lease.connection;
      Status started = ok();
      if (read_committed) started = c.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      if (started) started = c.query("START TRANSACTION");
      if (!started) {
        // An idle connection the server dropped (a restart, wait_timeout, a KILL): nothing ran
        // yet, so try once more on a new one.
        if (c.broken() && attempt == 1) continue;
        return started.error();
      }
      auto result = work(c);
      if (result) {
        auto committed = c.query("COMMIT");
        if (committed) return result;
        // The connection broke while COMMIT was on its way: the server may have applied it.
        // Said as `timeout` (outcome unknown), never retried here; a client retrying with its
        // Idempotency-Key learns which it was.
        if (c.broken()) return outcome_unknown(committed.error());
        result = committed.error();
      }
      (void)c.query("ROLLBACK");
      if (!retryable(result.error()) || attempt >= 5) return result;
    }
  }

  struct Lease {
    Database* owner = nullptr;
    std::unique_ptr<Connection> connection;
    Lease(Database* o, std::unique_ptr<Connection> c) : owner(o), connection(std::move(c)) {}
    Lease(Lease&& other) noexcept = default;
    ~Lease() {
      if (owner != nullptr && connection) owner->release(std::move(connection));
    }
  };
  explicit Database(Options options)
      : options_(std::move(options)),
        gate_("mysql " + options_.settings.host + ":" + std::to_string(options_.settings.port)) {}
  Result<Lease> acquire();
  Connection::Settings settings() const;
  Result<std::unique_ptr<Connection>> connect(Connection::Settings settings);
  void release(std::unique_ptr<Connection> connection);
  static bool retryable(const Error& error);
  static Error outcome_unknown(const Error& error);
  Status migrate(Connection& c);
  Status apply_missing_migrations(Connection& c);
  Status check_schema_is_current(Connection& c);
  static Result<int> schema_version_of(Connection& c);

  Options options_;
  ReconnectGate gate_;  // in front of opening connections while the server is away
  int schema_version_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable released_;
  struct Idle {
    std::unique_ptr<Connection> connection;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;  // the most recently used last
  int open_ = 0;            // connections handed out or idle
};

}  // namespace donut::mysql
