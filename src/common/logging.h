// Process-wide logging setup (spdlog). Libraries log through spdlog's default logger; hosts call
// `init_logging` once at start. Secrets (tokens, signing keys, passwords) are never passed to
// a log call.
//
// Two formats: `text` (one human line: time, level, thread, message) and `json` (one JSON
// object per line: time, level, thread, msg, and the ids of the work the thread is doing, so
// one restock or order can be followed across roles and processes with a log query). The ids
// come from `LogScope`s, which a handler opens for the message or request it works on; they are
// kept per thread, so a log line carries the ids of its own thread's work only.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace donut {

// level: trace|debug|info|warn|error|off (unknown levels fall back to info);
// format: text|json (unknown formats fall back to text). Text lines go to stderr, beside a
// command's output; JSON lines to stdout, where container runtimes and log shippers read them.
void init_logging(std::string_view level, std::string_view format = "text");
// Whether init_logging chose JSON (a role then reports its addresses as log lines too).
bool log_format_is_json();

// While alive, every log line of this thread carries these fields (JSON format), e.g.
// {{"restock_id", id}, {"trace_id", trace}}. Empty values are left out. Nests.
class LogScope {
 public:
  LogScope(std::initializer_list<std::pair<std::string_view, std::string_view>> fields);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  std::size_t added_ = 0;
};

// The fields of this thread's open scopes, outermost first (for the formatter and tests).
const std::vector<std::pair<std::string, std::string>>& log_fields();

// One log line as the JSON format writes it (without the newline).
std::string json_log_line(std::string_view time, std::string_view level, std::string_view thread,
                          std::string_view message);

}  // namespace donut
