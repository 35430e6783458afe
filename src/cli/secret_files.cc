#include "cli/secret_files.h"

#include <cstdlib>
#include <string>

#include "common/private_files.h"

namespace donut::cli {
namespace {

constexpr const char* kSecretSettings[] = {"DONUT_DATABASE", "DONUT_BROKER",
                                           "DONUT_CALLBACK_SECRET", "DONUT_ADMIN_TOKEN",
                                           "DONUT_SMTP_PASSWORD"};

}  // namespace

Status load_secret_files() {
  for (const std::string setting : kSecretSettings) {
    const char* path = std::getenv((setting + "_FILE").c_str());
    if (path == nullptr) continue;
    if (std::getenv(setting.c_str()) != nullptr) {
      return make_error(ErrorCode::invalid_argument,
                        "both " + setting + " and " + setting + "_FILE are set; keep one");
    }
    auto value = read_secret_file(path);
    if (!value) {
      return make_error(value.error().code, setting + "_FILE: " + value.error().message);
    }
    ::setenv(setting.c_str(), value->c_str(), 1);
  }
  return ok();
}

}  // namespace donut::cli
