// libFuzzer target: bytes as an AWS error answer (JSON, XML or anything an endpoint or a proxy
// in between might send). Parsing never fails hard, and the code it finds is bare: no
// "namespace#" prefix and no ":url" suffix.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "adapters/aws/aws_caller.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // The first line doubles as an x-amzn-ErrorType header value.
  const auto header = std::string(body.substr(0, body.find('\n')));
  const auto [code, message] = donut::aws::parse_aws_error(body, {{"x-amzn-errortype", header}});
  if (code.find('#') != std::string::npos || code.find(':') != std::string::npos) std::abort();
  (void)donut::aws::classify_aws_error(code, 400);
  (void)donut::aws::find_xml_text(body, "Message");
  return 0;
}
