// The packaged `sales` function: unzip it, run its `bootstrap` against a fake Runtime API and a
// MariaDB server (the functions run on MySQL only: the zip carries no SQLite), and check it
// serves API Gateway events. Also measures the cold start (process start to first response,
// median of 20) and the peak memory, printed for the record, never asserted.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "adapters/clock/clocks.h"
#include "support/fake_lambda_runtime.h"
#include "support/temp_dir.h"
#include "support/test_servers.h"
#include "wiring/store.h"

#ifndef DONUT_LAMBDA_ZIP
#error "DONUT_LAMBDA_ZIP must name the packaged sales function"
#endif
#ifndef DONUT_RDS_CA_FOLDER
#error "DONUT_RDS_CA_FOLDER must name the folder of the RDS CAs the zips carry"
#endif
#ifndef DONUT_PACKAGE_LAMBDA
#error "DONUT_PACKAGE_LAMBDA must name scripts/package-lambda and DONUT_LAMBDA_BINARY donut-lambda"
#endif

namespace donut {
namespace {

const bool kMariaDb = testing::use_server<testing::MariaDbServer>();

std::string http_event(const std::string& method, const std::string& path,
                       const std::string& body) {
  return R"({"version":"2.0","rawPath":")" + path +
         R"(","rawQueryString":"","headers":{"content-type":"application/json"},)"
         R"("requestContext":{"http":{"method":")" +
         method + R"(","sourceIp":"203.0.113.7"}},"body":)" +
         boost::json::serialize(boost::json::value(body)) + R"(,"isBase64Encoded":false})";
}

pid_t start_bootstrap(const std::string& dir, const std::string& runtime,
                      const std::string& database) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("AWS_LAMBDA_RUNTIME_API", runtime.c_str(), 1);
    ::setenv("DONUT_DATABASE", database.c_str(), 1);
    ::setenv("DONUT_LOG_LEVEL", "warn", 1);
    const std::string bootstrap = dir + "/bootstrap";
    ::execl(bootstrap.c_str(), bootstrap.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

long stop(pid_t pid) {  // returns peak RSS in KiB
  ::kill(pid, SIGKILL);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  return usage.ru_maxrss;
}

TEST(LambdaPackage, BootstrapServesApiGatewayEventsAndStartsFast) {
  testing::TempDir dir;
  ASSERT_EQ(std::system(
                ("unzip -q " + std::string(DONUT_LAMBDA_ZIP) + " -d " + dir.file("task")).c_str()),
            0);
  const auto database = testing::MariaDbServer::url("lambda_package");
  {
    clock::SystemClock clock;
    wiring::StoreSettings settings;
    settings.database = database;
    auto opened = wiring::open_store(settings, clock);
    ASSERT_TRUE(opened) << opened.error().message;
    ASSERT_TRUE(opened->store->upsert_product({"CP-1", "Glazed", 250, 1000, 0}));
  }

  std::vector<double> cold_starts_ms;
  long peak_rss_kib = 0;
  for (int run = 0; run < 20; ++run) {
    testing::FakeLambdaRuntime runtime;
    const std::string id = "req-" + std::to_string(run);
    runtime.push(id, run == 0
                         ? http_event("POST", "/v1/orders", R"({"product_id":"CP-1","quantity":2})")
                         : http_event("GET", "/v1/products/CP-1", ""));
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = start_bootstrap(dir.file("task"), runtime.host_port(), database);
    while (runtime.response(id).empty() &&
           std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    cold_starts_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count());
    const auto answer = runtime.response(id);
    runtime.push("stop", "{}");  // lets the fake's pending `next` return before the kill
    peak_rss_kib = std::max(peak_rss_kib, stop(pid));
    ASSERT_FALSE(answer.empty()) << "no response from the packaged bootstrap";
    auto response = boost::json::parse(answer).as_object();
    EXPECT_EQ(response.at("statusCode").as_int64(), run == 0 ? 201 : 200) << answer;
  }
  std::sort(cold_starts_ms.begin(), cold_starts_ms.end());
  std::cout << "cold start (process start to first response), median of 20: "
            << (cold_starts_ms[9] + cold_starts_ms[10]) / 2 << " ms; peak RSS " << peak_rss_kib
            << " KiB\n";
}

// Every function's zip runs its own function: started without its configuration, each reports
// an init error that names it (so its bootstrap passes the right function to the binary).
TEST(LambdaPackage, EachZipStartsItsOwnFunction) {
  const std::string folder =
      std::string(DONUT_LAMBDA_ZIP).substr(0, std::string(DONUT_LAMBDA_ZIP).rfind('/'));
  for (const std::string function : {"sales", "arrivals_intake", "restock", "arrivals", "notifier",
                                     "relay", "admin", "migrate"}) {
    SCOPED_TRACE(function);
    testing::TempDir dir;
    std::string zip_name = function;
    std::replace(zip_name.begin(), zip_name.end(), '_', '-');
    ASSERT_EQ(
        std::system(
            ("unzip -q " + folder + "/donut-" + zip_name + ".zip -d " + dir.file("task")).c_str()),
        0);
    testing::FakeLambdaRuntime runtime;
    const pid_t pid = ::fork();
    if (pid == 0) {
      for (const char* name : {"DONUT_DATABASE", "DONUT_DATABASE_HOST", "AWS_ACCESS_KEY_ID",
                               "DONUT_FUNCTION", "DONUT_CALLBACK_SECRET", "DONUT_MAIL_FROM"}) {
        ::unsetenv(name);
      }
      ::setenv("AWS_LAMBDA_RUNTIME_API", runtime.host_port().c_str(), 1);
      ::setenv("DONUT_LOG_LEVEL", "off", 1);
      const std::string bootstrap = dir.file("task") + "/bootstrap";
      ::execl(bootstrap.c_str(), bootstrap.c_str(), nullptr);
      _exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << "exits after the init error";
    const auto error = runtime.error("init");
    EXPECT_NE(error.find("\"errorMessage\":\"" + function + ": cannot start: "), std::string::npos)
        << error;
  }
}

// Packaging twice gives the same bytes (Terraform's source_code_hash changes only with the
// code), the MariaDB authentication plugins the connector loads at run time are in the zip,
// and the bootstrap points the connector at them; the RDS CAs are there, one file per region
// where the functions look for it (rds-ca/$AWS_REGION.pem), and each holds the CA Terraform gives
// the instance in that region and no other region's.
TEST(LambdaPackage, ZipsAreReproducibleAndCarryTheDatabasePluginsAndCas) {
  testing::TempDir dir;
  const auto package = [&](const std::string& name) {
    const std::string zip = dir.file(name);
    const std::string command = std::string(DONUT_PACKAGE_LAMBDA) + " " + DONUT_LAMBDA_BINARY +
                                " restock " + zip + " " + DONUT_RDS_CA_FOLDER + " > /dev/null";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(zip, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string first = package("first.zip");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // another second on the clock
  const std::string second = package("second.zip");
  ASSERT_FALSE(first.empty());
  EXPECT_TRUE(first == second) << "two packagings of one binary differ";

  ASSERT_EQ(std::system(("unzip -q " + dir.file("first.zip") + " -d " + dir.file("task")).c_str()),
            0);
  for (const char* plugin : {"caching_sha2_password", "sha256_password", "client_ed25519"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file("task") + "/lib/mariadb/" + plugin + ".so"))
        << plugin;
  }
  std::ifstream bootstrap(dir.file("task") + "/bootstrap");
  const std::string script(std::istreambuf_iterator<char>(bootstrap), {});
  EXPECT_NE(script.find("MARIADB_PLUGIN_DIR=\"$here/lib/mariadb\""), std::string::npos) << script;

  const auto subjects_of = [&](const std::string& region) {
    const std::string subjects = dir.file(region + ".txt");
    EXPECT_EQ(std::system(("openssl crl2pkcs7 -nocrl -certfile " + dir.file("task") + "/rds-ca/" +
                           region + ".pem | openssl pkcs7 -print_certs -noout > " + subjects)
                              .c_str()),
              0)
        << region;
    std::ifstream in(subjects);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (const std::string region : {"us-east-1", "eu-west-1", "ap-southeast-2"}) {
    SCOPED_TRACE(region);
    const std::string text = subjects_of(region);
    // deploy/aws/database.tf: ca_cert_identifier = "rds-ca-rsa2048-g1", in the region deployed to.
    EXPECT_NE(text.find("CN = Amazon RDS " + region + " Root CA RSA2048 G1"), std::string::npos)
        << text;
    size_t certificates = 0, of_the_region = 0;
    for (size_t at = text.find("subject="); at != std::string::npos;
         at = text.find("subject=", at + 1)) {
      ++certificates;
      const std::string line = text.substr(at, text.find('\n', at) - at);
      if (line.find("Amazon RDS " + region + " Root CA") != std::string::npos) ++of_the_region;
    }
    EXPECT_EQ(certificates, 3u) << text;
    EXPECT_EQ(of_the_region, certificates) << "only the region's own CAs: " << text;
  }
}

}  // namespace
}  // namespace donut
