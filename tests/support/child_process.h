// Test helpers for multi-process tests: a child process (the `donut` binary) whose stdout is
// read until it prints its address, and a free TCP port on 127.0.0.1.
#pragma once

#include <arpa/inet.h>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

namespace donut::testing {

// A child process whose stdout is read until it prints a line starting with `ready_prefix`.
class Child {
 public:
  Child(std::vector<std::string> args, const std::string& ready_prefix) {
    int out[2];
    EXPECT_EQ(::pipe(out), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      const int devnull =
          ::open(std::getenv("DONUT_CRASH_LOG") ? std::getenv("DONUT_CRASH_LOG") : "/dev/null",
                 O_WRONLY | O_APPEND | O_CREAT, 0644);
      ::dup2(devnull, STDERR_FILENO);
      ::close(out[0]);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(out[1]);
    FILE* stream = ::fdopen(out[0], "r");
    char line[512];
    while (std::fgets(line, sizeof line, stream) != nullptr) {
      std::string text(line);
      const auto at = text.find(ready_prefix);
      if (at != std::string::npos) {
        ready_line_ = text.substr(at + ready_prefix.size());
        while (!ready_line_.empty() && (ready_line_.back() == '\n' || ready_line_.back() == ' ')) {
          ready_line_.pop_back();
        }
        break;
      }
    }
    // Keep draining stdout so the child never blocks on a full pipe.
    drain_ = std::thread([stream] {
      char buffer[512];
      while (std::fgets(buffer, sizeof buffer, stream) != nullptr) {
      }
      std::fclose(stream);
    });
  }
  ~Child() {
    kill(SIGKILL);
    if (drain_.joinable()) drain_.join();
  }
  // Sends `signal` and waits for the process to end; returns its wait status (or -1 if it had
  // already ended).
  int kill(int signal) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  const std::string& ready_line() const { return ready_line_; }

 private:
  pid_t pid_ = -1;
  std::string ready_line_;
  std::thread drain_;
};

// A port free right now; the sales server keeps it across restarts, as a real deployment keeps
// its address (the factory calls back the URL it was given).
inline uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace donut::testing
