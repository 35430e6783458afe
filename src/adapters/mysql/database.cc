#include "adapters/mysql/database.h"

#include <charconv>
#include <cstring>
#include <errmsg.h>

#include <boost/url/parse.hpp>
#include <mysqld_error.h>
#include <spdlog/spdlog.h>

#include "adapters/mysql/migrations.h"
#include "adapters/sql/schema_version.h"

namespace donut::mysql {
namespace {

// CR_SSL_CONNECTION_ERROR on an open connection: over TLS a connection the server closed (a
// restart, KILL, wait_timeout) reads as a TLS failure ("unexpected eof"), not as "gone".
bool connection_lost(unsigned code) {
  return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST || code == CR_CONNECTION_ERROR ||
         code == CR_SSL_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR ||
         code == CR_SERVER_LOST_EXTENDED || code == 1927 /* killed */ ||
         code == ER_SERVER_SHUTDOWN || code == 4031 /* inactivity */;
}

}  // namespace

// --- Statement ------------------------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      connection_(other.connection_),
      params_(std::move(other.params_)),
      executed_(other.executed_) {}

Statement::~Statement() {
  if (stmt_ != nullptr) reset();
}

// Client side only: every result is stored whole (`mysql_stmt_store_result`) and no long data is
// ever sent, so nothing waits on the server, and `mysql_stmt_reset` would cost a round trip
// (COM_STMT_RESET) per statement, as many as the statements themselves.
void Statement::reset() {
  if (executed_) mysql_stmt_free_result(stmt_);
  params_.clear();
  executed_ = false;
  result_binds_.clear();
}

Statement& Statement::bind(int64_t value) {
  Param p;
  p.kind = Param::integer;
  p.number = value;
  params_.push_back(std::move(p));
  return *this;
}

Statement& Statement::bind(std::string_view value) {
  Param p;
  p.kind = Param::text;
  p.value = std::string(value);
  params_.push_back(std::move(p));
  return *this;
}

Statement& Statement::bind_borrowed(std::string_view value) {
  Param p;
  p.kind = Param::text;
  p.borrowed = value;
  p.is_borrowed = true;
  params_.push_back(std::move(p));
  return *this;
}

Statement& Statement::bind_null() {
  params_.push_back(Param{});
  return *this;
}

Status Statement::execute() {
  std::vector<MYSQL_BIND> binds(params_.size());
  static my_bool is_null_true = 1;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    auto& p = params_[i];
    auto& b = binds[i];
    std::memset(&b, 0, sizeof b);
    switch (p.kind) {
      case Param::integer:
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &p.number;
        break;
      case Param::text: {
        const std::string_view text = p.is_borrowed ? p.borrowed : std::string_view(p.value);
        p.length = static_cast<unsigned long>(text.size());
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = const_cast<char*>(text.data());
        b.buffer_length = p.length;
        b.length = &p.length;
        break;
      }
      case Param::null:
        b.buffer_type = MYSQL_TYPE_NULL;
        b.is_null = &is_null_true;
        break;
    }
  }
  if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) {
    return connection_->statement_error(stmt_, "bind");
  }
  if (mysql_stmt_execute(stmt_) != 0) return failed("execute");
  executed_ = true;
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
  if (meta == nullptr) return ok();
  const unsigned fields = mysql_num_fields(meta);
  mysql_free_result(meta);
  result_binds_.assign(fields, MYSQL_BIND{});
  buffers_.assign(fields, std::vector<char>(256));
  lengths_.assign(fields, 0);
  nulls_.assign(fields, 0);
  errors_.assign(fields, 0);
  for (unsigned i = 0; i < fields; ++i) {
    auto& b = result_binds_[i];
    std::memset(&b, 0, sizeof b);
    b.buffer_type = MYSQL_TYPE_STRING;
    b.buffer = buffers_[i].data();
    b.buffer_length = static_cast<unsigned long>(buffers_[i].size());
    b.length = &lengths_[i];
    b.is_null = &nulls_[i];
    b.error = &errors_[i];
  }
  if (mysql_stmt_bind_result(stmt_, result_binds_.data()) != 0) return failed("bind result");
  if (mysql_stmt_store_result(stmt_) != 0) return failed("store result");
  return ok();
}

// The server can fail a statement after it sent the result's header (a statement timeout, KILL
// QUERY, a subquery of more than one row): the statement is left waiting for rows that will
// never come, and `reset` above, which frees only what the client stored, would leave it so;
// its next execution from the cache would wait for them until the read timeout. Only
// COM_STMT_RESET puts it back to prepared: that round trip is paid on failure only. The error is
// read first, as the reset clears it.
Error Statement::failed(std::string_view what) {
  Error error = connection_->statement_error(stmt_, what);
  mysql_stmt_reset(stmt_);
  executed_ = false;
  return error;
}

Result<int64_t> Statement::run() {
  DONUT_RETURN_IF_ERROR(execute());
  return static_cast<int64_t>(mysql_stmt_affected_rows(stmt_));
}

Result<bool> Statement::next() {
  if (!executed_) DONUT_RETURN_IF_ERROR(execute());
  if (result_binds_.empty()) return false;
  const int rc = mysql_stmt_fetch(stmt_);
  if (rc == MYSQL_NO_DATA) return false;
  if (rc == 1) return connection_->statement_error(stmt_, "fetch");
  if (rc == MYSQL_DATA_TRUNCATED) {
    for (std::size_t i = 0; i < result_binds_.size(); ++i) {
      if (!errors_[i]) continue;
      buffers_[i].resize(lengths_[i]);
      result_binds_[i].buffer = buffers_[i].data();
      result_binds_[i].buffer_length = lengths_[i];
      if (mysql_stmt_fetch_column(stmt_, &result_binds_[i], static_cast<unsigned>(i), 0) != 0) {
        return connection_->statement_error(stmt_, "fetch column");
      }
    }
  }
  return true;
}

int64_t Statement::column_int(int index) const {
  if (nulls_[index]) return 0;
  int64_t value = 0;
  const char* begin = buffers_[index].data();
  std::from_chars(begin, begin + std::min<std::size_t>(lengths_[index], buffers_[index].size()),
                  value);
  return value;
}

std::string Statement::column_text(int index) const {
  return std::string(column_view(index));
}

std::string_view Statement::column_view(int index) const {
  if (nulls_[index]) return {};
  return {buffers_[index].data(), std::min<std::size_t>(lengths_[index], buffers_[index].size())};
}

// --- Connection -----------------------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::open(const Settings& s) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return make_error(ErrorCode::internal, "mysql_init failed");
  unsigned timeout = 3;
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  // A paused or unreachable server fails a call within seconds instead of holding the thread
  // (the client library may retry a read, so the longest wait is a small multiple of this).
  mysql_options(mysql, MYSQL_OPT_READ_TIMEOUT, &(timeout = 10));
  mysql_options(mysql, MYSQL_OPT_WRITE_TIMEOUT, &(timeout = 10));
  mysql_options(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!s.tls_ca.empty()) {
    // Enforce TLS and verify the peer: a CA alone would still let an active attacker strip TLS
    // or present any certificate.
    my_bool on = 1;
    mysql_options(mysql, MYSQL_OPT_SSL_CA, s.tls_ca.c_str());
    mysql_options(mysql, MYSQL_OPT_SSL_ENFORCE, &on);
    mysql_options(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
  }
  // CLIENT_FOUND_ROWS: an UPDATE reports the rows it matched, as SQLite's changes() does, not
  // only those whose values changed; the warehouse reads that count as "the row exists".
  if (mysql_real_connect(mysql, s.host.c_str(), s.user.c_str(), s.password.c_str(),
                         s.database.empty() ? nullptr : s.database.c_str(), s.port, nullptr,
                         CLIENT_FOUND_ROWS) == nullptr) {
    std::string message = mysql_error(mysql);
    const unsigned code = mysql_errno(mysql);
    mysql_close(mysql);
    // Refused credentials are not an outage: after a rotation the password must be read again.
    const bool refused =
        code == ER_ACCESS_DENIED_ERROR || code == ER_ACCESS_DENIED_NO_PASSWORD_ERROR;
    return make_error(
        refused ? ErrorCode::unauthorized : ErrorCode::unavailable,
        "cannot connect to MySQL at " + s.host + ":" + std::to_string(s.port) + ": " + message);
  }
  return std::unique_ptr<Connection>(new Connection(mysql));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) mysql_stmt_close(stmt);
  mysql_close(mysql_);
}

Error Connection::error_from(unsigned code, std::string_view message, std::string_view what) {
  const std::string text = "mysql " + std::string(what) + ": " + std::string(message);
  if (connection_lost(code)) {
    broken_ = true;
    return make_error(ErrorCode::unavailable, text);
  }
  if (code == ER_LOCK_DEADLOCK || code == ER_LOCK_WAIT_TIMEOUT || code == ER_DUP_ENTRY) {
    return make_error(ErrorCode::conflict, text);
  }
  return make_error(ErrorCode::internal, text);
}

Error Connection::error(std::string_view what) {
  return error_from(mysql_errno(mysql_), mysql_error(mysql_), what);
}

Error Connection::statement_error(MYSQL_STMT* stmt, std::string_view what) {
  return error_from(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), what);
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
    if (stmt == nullptr) return error("stmt_init");
    if (mysql_stmt_prepare(stmt, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
      auto e = statement_error(stmt, "prepare");
      mysql_stmt_close(stmt);
      return e;
    }
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  return Statement(it->second, this);
}

Status Connection::query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return error("query");
  }
  if (MYSQL_RES* result = mysql_store_result(mysql_)) mysql_free_result(result);
  return ok();
}

// --- Database -------------------------------------------------------------------------------

Result<Connection::Settings> Database::parse_url(std::string_view text) {
  auto url = boost::urls::parse_uri(text);
  if (!url || url->scheme() != "mysql") {
    return make_error(ErrorCode::invalid_argument,
                      "expected mysql://user:password@host:port/database");
  }
  Connection::Settings s;
  if (url->has_userinfo()) {
    s.user = url->user();
    s.password = url->password();
  }
  if (!url->host().empty()) s.host = url->host();
  if (url->has_port()) s.port = url->port_number();
  auto path = std::string(url->path());
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  if (!path.empty()) s.database = path;
  for (const auto& param : url->params()) {
    if (param.key == "ssl-ca" && param.has_value && !param.value.empty()) {
      s.tls_ca = param.value;
    } else {
      return make_error(ErrorCode::invalid_argument, "unknown MySQL URL parameter '" +
                                                         std::string(param.key) +
                                                         "' (known: ssl-ca=<CA bundle file>)");
    }
  }
  return s;
}

Result<std::shared_ptr<Database>> Database::open(Options options) {
  std::shared_ptr<Database> db(new Database(std::move(options)));
  if (!db->options_.migrate) {
    DONUT_ASSIGN_OR_RETURN(auto first, db->connect(db->settings()));
    DONUT_RETURN_IF_ERROR(db->check_schema_is_current(*first));
    db->open_ = 1;
    db->idle_.push_back({std::move(first), std::chrono::steady_clock::now()});
    return db;
  }
  {
    // Create the database if needed, then migrate.
    auto settings = db->options_.settings;
    settings.database.clear();
    DONUT_ASSIGN_OR_RETURN(auto admin, db->connect(std::move(settings)));
    for (char c : db->options_.settings.database) {
      const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      if (!ok)
        return make_error(ErrorCode::invalid_argument,
                          "database names are letters, digits and '_'");
    }
    DONUT_RETURN_IF_ERROR(admin->query("CREATE DATABASE IF NOT EXISTS `" +
                                       db->options_.settings.database +
                                       "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
  }
  DONUT_ASSIGN_OR_RETURN(auto first, db->connect(db->settings()));
  DONUT_RETURN_IF_ERROR(db->migrate(*first));
  db->open_ = 1;
  db->idle_.push_back({std::move(first), std::chrono::steady_clock::now()});
  return db;
}

Result<Database::Lease> Database::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (!idle_.empty()) {
      Idle idle = std::move(idle_.back());
      idle_.pop_back();
      if (options_.max_idle > Millis(0) &&
          std::chrono::steady_clock::now() - idle.since > options_.max_idle) {
        --open_;  // stale: the server may have closed it; reconnect below instead
        lock.unlock();
        idle.connection.reset();
        lock.lock();
        continue;
      }
      return Lease(this, std::move(idle.connection));
    }
    if (open_ < options_.pool_size) {
      DONUT_RETURN_IF_ERROR(gate_.admit());
      ++open_;
      const Connection::Settings settings = options_.settings;
      lock.unlock();
      auto c = connect(settings);
      if (!c) {
        gate_.failed(c.error());
        std::lock_guard relock(mutex_);
        --open_;
        return c.error();
      }
      gate_.connected(settings.host + ":" + std::to_string(settings.port));
      return Lease(this, std::move(*c));
    }
    released_.wait(lock);
  }
}

Connection::Settings Database::settings() const {
  std::lock_guard lock(mutex_);
  return options_.settings;
}

Result<std::unique_ptr<Connection>> Database::connect(Connection::Settings settings) {
  auto c = Connection::open(settings);
  if (c || c.error().code != ErrorCode::unauthorized || !options_.refresh_credentials) return c;
  // The password may have been rotated (RDS rotates a managed master secret by itself): read
  // it again once and keep what works for every later connection.
  spdlog::warn("mysql: {} was refused; reading the credentials again", settings.user);
  Connection::Settings fresh = settings;
  DONUT_RETURN_IF_ERROR(options_.refresh_credentials(fresh));
  DONUT_ASSIGN_OR_RETURN(auto connection, Connection::open(fresh));
  std::lock_guard lock(mutex_);
  options_.settings.user = fresh.user;
  options_.settings.password = fresh.password;
  return connection;
}

void Database::release(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    if (connection->broken()) {
      --open_;  // dropped; the next acquire reconnects
    } else {
      idle_.push_back({std::move(connection), std::chrono::steady_clock::now()});
    }
  }
  released_.notify_one();
}

bool Database::retryable(const Error& error) {
  return error.code == ErrorCode::conflict;
}

Error Database::outcome_unknown(const Error& error) {
  return make_error(ErrorCode::timeout,
                    "the connection broke during COMMIT; the outcome is unknown: " + error.message);
}

Status Database::migrate(Connection& c) {
  DONUT_RETURN_IF_ERROR(c.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, name VARCHAR(255) "
      "NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB"));
  // One migrator at a time across processes: the others wait here, then find nothing to do.
  {
    DONUT_ASSIGN_OR_RETURN(auto lock, c.prepare("SELECT GET_LOCK('donut_migrations', 60)"));
    DONUT_ASSIGN_OR_RETURN(bool row, lock.next());
    if (!row || lock.column_is_null(0) || lock.column_int(0) != 1) {
      return make_error(ErrorCode::unavailable,
                        "another process has been migrating the warehouse for 60 s; try again");
    }
  }
  auto status = apply_missing_migrations(c);
  (void)c.query("SELECT RELEASE_LOCK('donut_migrations')");
  return status;
}

Result<int> Database::schema_version_of(Connection& c) {
  DONUT_ASSIGN_OR_RETURN(auto s,
                         c.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  DONUT_ASSIGN_OR_RETURN(bool row, s.next());
  return row ? static_cast<int>(s.column_int(0)) : 0;
}

Status Database::check_schema_is_current(Connection& c) {
  auto current = schema_version_of(c);
  if (!current) {
    return make_error(current.error().code,
                      "cannot read the warehouse's schema version (run the migrations first): " +
                          current.error().message);
  }
  schema_version_ = *current;
  DONUT_RETURN_IF_ERROR(sql::refuse_newer_schema(*current, migrations(), "the warehouse"));
  const int latest = migrations().empty() ? 0 : migrations().back().version;
  if (*current < latest) {
    return make_error(ErrorCode::unavailable,
                      "the warehouse is at schema version " + std::to_string(*current) +
                          " and this build needs " + std::to_string(latest) +
                          ": run the migrations (`donut db migrate`, or the migrate function)");
  }
  return ok();
}

Status Database::apply_missing_migrations(Connection& c) {
  DONUT_ASSIGN_OR_RETURN(const int current, schema_version_of(c));
  schema_version_ = current;
  DONUT_RETURN_IF_ERROR(sql::refuse_newer_schema(current, migrations(), "the warehouse"));
  for (const auto& m : migrations()) {
    if (m.version <= current) continue;
    // DDL commits implicitly in MySQL, so a migration cannot be one transaction: it is applied
    // statement by statement and written so that a rerun after a failure half-way completes it.
    std::string_view rest = m.sql;
    while (!rest.empty()) {
      const auto end = rest.find(";\n");
      auto statement = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
      std::string text;
      for (auto line_start = statement; !line_start.empty();) {  // drop comment lines
        const auto nl = line_start.find('\n');
        auto line = line_start.substr(0, nl);
        if (line.rfind("--", 0) != 0) text += std::string(line) + "\n";
        line_start = nl == std::string_view::npos ? std::string_view() : line_start.substr(nl + 1);
      }
      if (text.find_first_not_of(" \n\t") == std::string::npos) continue;
      if (auto status = c.query(text); !status) {
        // MySQL has no CREATE INDEX IF NOT EXISTS: a rerun meets the index it made before.
        if (mysql_errno(c.handle()) == ER_DUP_KEYNAME) continue;
        return make_error(status.error().code, "migration " + std::string(m.name) +
                                                   " failed: " + status.error().message);
      }
    }
    DONUT_ASSIGN_OR_RETURN(
        auto record, c.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"));
    record.bind(static_cast<int64_t>(m.version)).bind(m.name);
    DONUT_RETURN_IF_ERROR(record.run());
    spdlog::info("mysql: applied migration {}", m.name);
    schema_version_ = m.version;
  }
  return ok();
}

}  // namespace donut::mysql
