#include "common/logging.h"

#include <atomic>
#include <string>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/time.h"

namespace donut {
namespace {

thread_local std::vector<std::pair<std::string, std::string>> tls_fields;
std::atomic<bool> json_format{false};

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// Formats a record as one JSON line; the ids come from the logging thread's scopes (spdlog's
// synchronous loggers format on the thread that logs).
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string when = format_rfc3339(std::chrono::time_point_cast<Millis>(msg.time));
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = json_log_line(
        when, std::string_view(level.data(), level.size()), std::to_string(msg.thread_id),
        std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void init_logging(std::string_view level, std::string_view format) {
  json_format = format == "json";
  auto logger = json_format ? spdlog::stdout_logger_mt("donut") : spdlog::stderr_color_mt("donut");
  if (json_format) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    // UTC, as the JSON lines and every other timestamp the system writes.
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%t] %v", spdlog::pattern_time_type::utc);
  }
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") parsed = spdlog::level::info;
  logger->set_level(parsed);
  spdlog::set_default_logger(std::move(logger));
}

bool log_format_is_json() {
  return json_format;
}

LogScope::LogScope(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    tls_fields.emplace_back(std::string(name), std::string(value));
    ++added_;
  }
}

LogScope::~LogScope() {
  tls_fields.resize(tls_fields.size() - added_);
}

const std::vector<std::pair<std::string, std::string>>& log_fields() {
  return tls_fields;
}

std::string json_log_line(std::string_view time, std::string_view level, std::string_view thread,
                          std::string_view message) {
  std::string out = "{\"time\":";
  append_json_string(out, time);
  out += ",\"level\":";
  append_json_string(out, level);
  out += ",\"thread\":";
  append_json_string(out, thread);
  out += ",\"msg\":";
  append_json_string(out, message);
  for (const auto& [name, value] : tls_fields) {
    out += ',';
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += '}';
  return out;
}

}  // namespace donut
