#include "cli/secret_files.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace donut::cli {
namespace {

constexpr const char* kSecretSettings[] = {"DONUT_DATABASE", "DONUT_BROKER",
                                           "DONUT_CALLBACK_SECRET", "DONUT_ADMIN_TOKEN",
                                           "DONUT_SMTP_PASSWORD"};

Result<std::string> read_secret(const std::string& setting, const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::invalid_argument,
                      setting + "_FILE: cannot read " + std::string(path));
  }
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (value.ends_with('\n')) value.pop_back();
  if (value.ends_with('\r')) value.pop_back();
  if (value.empty()) {
    return make_error(ErrorCode::invalid_argument,
                      setting + "_FILE: " + std::string(path) + " is empty");
  }
  return value;
}

}  // namespace

Status load_secret_files() {
  for (const std::string setting : kSecretSettings) {
    const char* path = std::getenv((setting + "_FILE").c_str());
    if (path == nullptr) continue;
    if (std::getenv(setting.c_str()) != nullptr) {
      return make_error(ErrorCode::invalid_argument,
                        "both " + setting + " and " + setting + "_FILE are set; keep one");
    }
    DONUT_ASSIGN_OR_RETURN(std::string value, read_secret(setting, path));
    ::setenv(setting.c_str(), value.c_str(), 1);
  }
  return ok();
}

}  // namespace donut::cli
