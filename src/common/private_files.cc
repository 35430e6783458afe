#include "common/private_files.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <unistd.h>

namespace donut {
namespace {

Error failed(std::string_view what, const std::string& path) {
  return make_error(ErrorCode::unavailable,
                    std::string(what) + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Status create_private_directory(const std::string& path) {
  const std::filesystem::path folder(path);
  std::error_code ec;
  if (folder.has_parent_path()) std::filesystem::create_directories(folder.parent_path(), ec);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return failed("cannot create", path);
  if (!std::filesystem::is_directory(folder, ec)) {
    return make_error(ErrorCode::unavailable, path + " exists and is not a folder");
  }
  return ok();
}

bool others_may_enter(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IXGRP | S_IXOTH)) != 0;
}

Status create_private_file(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return failed("cannot create", path);
  std::size_t written = 0;
  while (written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      auto error = failed("cannot write", path);
      ::close(fd);
      ::unlink(path.c_str());
      return error;
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  if (!(::close(fd) == 0 && synced)) {
    auto error = failed("cannot sync", path);
    ::unlink(path.c_str());
    return error;
  }
  return ok();
}

Result<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::invalid_argument, "cannot read " + path);
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (value.ends_with('\n')) value.pop_back();
  if (value.ends_with('\r')) value.pop_back();
  if (value.empty()) return make_error(ErrorCode::invalid_argument, path + " is empty");
  return value;
}

}  // namespace donut
