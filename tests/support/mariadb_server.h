// A MariaDB server for one test binary: started by scripts/test-server on a free port of
// 127.0.0.1 with its own data folder, stopped by PID when the tests end. Register it with
// ::testing::AddGlobalTestEnvironment; tests read `MariaDbServer::port`.
#pragma once

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "support/child_process.h"
#include "support/temp_dir.h"

#ifndef DONUT_TEST_SERVER_SCRIPT
#error "DONUT_TEST_SERVER_SCRIPT must name scripts/test-server"
#endif

namespace donut::testing {

class MariaDbServer : public ::testing::Environment {
 public:
  static inline unsigned port = 0;
  static inline std::string data_dir;

  void SetUp() override {
    port = free_port();
    data_dir = dir_.path().string();
    ASSERT_TRUE(start()) << "could not start MariaDB";
  }
  void TearDown() override { stop(); }

  static bool start() {
    const auto command = std::string(DONUT_TEST_SERVER_SCRIPT) + " mariadb start " + data_dir +
                         " " + std::to_string(port);
    return std::system(command.c_str()) == 0;
  }
  static void stop() {
    std::system((std::string(DONUT_TEST_SERVER_SCRIPT) + " mariadb stop " + data_dir).c_str());
  }
  static std::string url(const std::string& database) {
    return "mysql://root@127.0.0.1:" + std::to_string(port) + "/" + database;
  }

 private:
  TempDir dir_;
};

}  // namespace donut::testing
