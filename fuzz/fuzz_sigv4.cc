// libFuzzer target: bytes as a raw HTTP request (the test suite's .req format), canonicalised
// and signed. The canonical query may only hold unreserved characters, '%', '=' and '&', and
// the canonical path must start with '/' and hold no dot segments.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/sigv4.h"
#include "support/aws_request_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = donut::testing::parse_request_file(text);
  request.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  const auto parts = donut::sigv4::sign(request, {"AKID", "secret", ""}, "us-east-1", "sqs");
  if (parts.authorization.rfind("AWS4-HMAC-SHA256 Credential=AKID/", 0) != 0) std::abort();
  const auto query = donut::sigv4::canonical_query(request.query);
  for (unsigned char c : query) {
    const bool allowed = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
                         c == '%' || c == '=' || c == '&';
    if (!allowed) std::abort();
  }
  const auto path = donut::sigv4::canonical_path(request.path);
  if (path.empty() || path.front() != '/' || path.find("/../") != std::string::npos ||
      path.find("/./") != std::string::npos || path.find("//") != std::string::npos) {
    std::abort();
  }
  return 0;
}
