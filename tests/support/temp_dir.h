// A fresh temporary folder per test, removed afterwards.
#pragma once

#include <filesystem>
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

}  // namespace donut::testing
