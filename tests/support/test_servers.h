// Database and broker servers for one test binary, started by scripts/test-server on a free
// port of 127.0.0.1 with their own data folders and stopped by PID when the tests end. A test
// file asks for one with `use_server<T>()` (once per binary however many files ask); tests read
// its static `port`.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/child_process.h"
#include "support/temp_dir.h"

#ifndef DONUT_TEST_SERVER_SCRIPT
#error "DONUT_TEST_SERVER_SCRIPT must name scripts/test-server"
#endif

namespace donut::testing {

class ScriptedServer : public ::testing::Environment {
 public:
  void SetUp() override {
    port_ = free_port();
    data_dir_ = dir_.path().string();
    ASSERT_TRUE(run(engine_, "start", data_dir_, port_)) << "could not start " << engine_;
  }
  void TearDown() override { run(engine_, "stop", data_dir_, 0); }

 protected:
  ScriptedServer(std::string engine, unsigned& port, std::string& data_dir)
      : engine_(std::move(engine)), port_(port), data_dir_(data_dir) {}

  static bool run(const std::string& engine, const std::string& action, const std::string& dir,
                  unsigned port) {
    std::string command =
        std::string(DONUT_TEST_SERVER_SCRIPT) + " " + engine + " " + action + " " + dir;
    if (action == "start") command += " " + std::to_string(port);
    return std::system(command.c_str()) == 0;
  }

 private:
  std::string engine_;
  unsigned& port_;
  std::string& data_dir_;
  TempDir dir_;
};

class MariaDbServer : public ScriptedServer {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;
  MariaDbServer() : ScriptedServer("mariadb", port, data_dir) {}
  static bool start() { return run("mariadb", "start", data_dir, port); }
  static void stop() { run("mariadb", "stop", data_dir, 0); }
  static std::string url(const std::string& database) {
    return "mysql://root@127.0.0.1:" + std::to_string(port) + "/" + database;
  }
};

class RabbitMqServer : public ScriptedServer {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;
  RabbitMqServer() : ScriptedServer("rabbitmq", port, data_dir) {}
  static std::string url() { return "amqp://guest:guest@127.0.0.1:" + std::to_string(port) + "/"; }
};

// The npm AWS emulators: fauxqs (SNS + SQS) and aws-ses-v2-local (SES v2, mail read back at
// GET /store), each behind the gate that checks signatures, clocks and SES's quota as AWS does
// (tools/node/aws-check/gate.mjs) for the credentials AKIDEXAMPLE. `url()` is the gate, which
// the clients call; `emulator_url()` the emulator itself, for what only a test may ask of it.
inline std::string emulator_url(const std::string& data_dir) {
  std::ifstream in(data_dir + "/upstream.port");
  unsigned upstream = 0;
  in >> upstream;
  return "http://127.0.0.1:" + std::to_string(upstream);
}

class FauxqsServer : public ScriptedServer {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;
  FauxqsServer() : ScriptedServer("fauxqs", port, data_dir) {}
  static std::string url() { return "http://127.0.0.1:" + std::to_string(port); }
  static std::string emulator_url() { return testing::emulator_url(data_dir); }
};

class SesServer : public ScriptedServer {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;
  SesServer() : ScriptedServer("ses", port, data_dir) {}
  static std::string url() { return "http://127.0.0.1:" + std::to_string(port); }
  static std::string emulator_url() { return testing::emulator_url(data_dir); }
};

// An SMTP server (npm smtp-server) listening three ways: plain on `port`, STARTTLS and smtps on
// the ports in <data_dir>/ports.json, with a throw-away certificate <data_dir>/cert.pem. Each
// accepted e-mail is <data_dir>/mail/<n>.json (see tools/node/smtp-sink.mjs).
class SmtpServer : public ScriptedServer {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;
  static constexpr const char* kUser = "donut";
  static constexpr const char* kPassword = "smtp-test-password";
  SmtpServer() : ScriptedServer("smtp", port, data_dir) {}
};

// Registers server T as a global test environment, once per test binary: every file that needs
// it may ask, and they share the one server.
template <class Server>
bool use_server() {
  static const bool registered = (::testing::AddGlobalTestEnvironment(new Server), true);
  return registered;
}

}  // namespace donut::testing
