// `donut-lambda`: the `bootstrap` of Donut-States' Lambda functions (custom runtime
// provided.al2023). The function to run is the first argument or DONUT_FUNCTION; what each
// one does and the environment it reads are in hosts/lambda/functions.h.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/logging.h"
#include "hosts/lambda/functions.h"

int main(int argc, char** argv) {
  const char* level = std::getenv("DONUT_LOG_LEVEL");
  // JSON lines when asked, or when the function's log format is JSON (LoggingConfig), which
  // CloudWatch Logs Insights then reads field by field.
  const char* format = std::getenv("DONUT_LOG_FORMAT");
  const char* lambda_format = std::getenv("AWS_LAMBDA_LOG_FORMAT");
  const bool json =
      (format != nullptr && std::string(format) == "json") ||
      (format == nullptr && lambda_format != nullptr && std::string(lambda_format) == "JSON");
  donut::init_logging(level != nullptr ? level : "info", json ? "json" : "text");
  const char* runtime = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (runtime == nullptr || *runtime == '\0') {
    std::fprintf(stderr,
                 "donut-lambda: AWS_LAMBDA_RUNTIME_API is not set (run me inside Lambda)\n");
    return 2;
  }
  const char* function_env = std::getenv("DONUT_FUNCTION");
  const std::string function = argc > 1 ? argv[1] : (function_env != nullptr ? function_env : "");
  donut::lambda::RuntimeApi api(runtime);
  return donut::lambda::run_function(function, api) ? 0 : 1;
}
