// A fresh temporary folder per test, removed afterwards; and reading a file back whole.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/ids.h"

namespace donut::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("donut-test-" + random_hex(8))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The bytes of `path` as they are on disk ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace donut::testing
