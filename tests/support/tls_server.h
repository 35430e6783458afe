// Test helpers for TLS clients: a private CA with a certificate from it for 127.0.0.1 and
// localhost (made with the openssl CLI), and a TLS server (`openssl s_server`, stunnel, ...)
// run in the background for as long as the object lives, stopped by its PID.
#pragma once

#include <arpa/inet.h>
#include <chrono>
#include <cstdlib>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "support/test_system.h"

namespace donut::testing {

// Writes ca.pem (the CA to trust), server.pem and server.key (for 127.0.0.1 and localhost) into
// `dir`; false on failure, with openssl's output in `dir`/openssl.log.
inline bool make_private_ca(const std::string& dir) {
  const std::string script =
      "cd " + dir +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
      "-subj /CN=donut-test-ca -keyout ca.key -out ca.pem && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
      "-subj /CN=localhost -keyout server.key -out server.csr && "
      "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.cnf && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile san.cnf -out server.pem > openssl.log 2>&1";
  return std::system(script.c_str()) == 0;
}

// Whether something accepts connections on 127.0.0.1:`port`.
inline bool accepts(unsigned port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// `command` run by the shell in the background, its output in `dir`/`name`.log; `ready()` once
// it accepts on `port` (within 10 s). Stopped when destroyed.
class BackgroundServer {
 public:
  BackgroundServer(const std::string& command, const std::string& dir, const std::string& name,
                   unsigned port)
      : pid_file_(dir + "/" + name + ".pid"), log_(dir + "/" + name + ".log") {
    const std::string background =
        command + " > " + log_ + " 2>&1 < /dev/null & echo $! > " + pid_file_;
    ready_ = std::system(background.c_str()) == 0 &&
             eventually([port] { return accepts(port); }, std::chrono::seconds(10));
  }
  ~BackgroundServer() { std::system(("kill $(cat " + pid_file_ + ") 2>/dev/null").c_str()); }
  BackgroundServer(const BackgroundServer&) = delete;
  BackgroundServer& operator=(const BackgroundServer&) = delete;

  bool ready() const { return ready_; }
  const std::string& log() const { return log_; }

 private:
  std::string pid_file_;
  std::string log_;
  bool ready_ = false;
};

}  // namespace donut::testing
