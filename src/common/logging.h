// Process-wide logging setup (spdlog). Libraries log through spdlog's default logger; hosts call
// `init_logging` once at start. Secrets (tokens, signing keys, passwords) are never passed to
// a log call.
#pragma once

#include <string_view>

namespace donut {

// level: trace|debug|info|warn|error|off. Unknown levels fall back to info.
void init_logging(std::string_view level);

}  // namespace donut
