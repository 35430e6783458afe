// Every case of AWS's SigV4 test suite: the canonical request, the string to sign and the
// Authorization header must match byte for byte.
#include "aws/sigv4.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "support/aws_request_file.h"
#include "support/temp_dir.h"
#include "support/time_zone.h"

#ifndef DONUT_SIGV4_SUITE
#error "DONUT_SIGV4_SUITE must name the aws-sigv4-testsuite folder"
#endif

namespace donut::sigv4 {
namespace {

namespace fs = std::filesystem;

const Credentials kCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::vector<fs::path> cases() {
  std::vector<fs::path> found;
  for (const auto& entry : fs::recursive_directory_iterator(DONUT_SIGV4_SUITE)) {
    if (entry.path().extension() == ".req") found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

class SigV4Suite : public ::testing::TestWithParam<fs::path> {};

TEST_P(SigV4Suite, MatchesEveryStep) {
  const auto req = GetParam();
  auto expected = [&](const char* extension) {
    auto path = req;
    return testing::read_file(path.replace_extension(extension));
  };
  const auto request = testing::parse_request_file(testing::read_file(req));
  Credentials credentials = kCredentials;
  if (req.stem() == "get-vanilla-with-session-token") {
    credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  }
  const auto parts = sign(request, credentials, "us-east-1", "service");
  EXPECT_EQ(parts.canonical_request, expected(".creq"));
  EXPECT_EQ(parts.string_to_sign, expected(".sts"));
  EXPECT_EQ(parts.authorization, expected(".authz"));
}

INSTANTIATE_TEST_SUITE_P(Aws, SigV4Suite, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string name = info.param.stem().string();
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
});

TEST(SigV4, SuiteIsThere) {
  EXPECT_GE(cases().size(), 30u) << DONUT_SIGV4_SUITE;
}

TEST(SigV4, AddSignatureStampsDateTokenAndAuthorization) {
  HttpRequestToSign r{"POST", "/", "", {{"Host", "sqs.us-east-1.amazonaws.com"}}, "{}"};
  Credentials temporary{"AKID", "secret", "session-token"};
  add_signature(r, temporary, "us-east-1", "sqs", from_unix_ms(1'440'938'160'000));
  ASSERT_EQ(r.headers.size(), 4u);
  EXPECT_EQ(r.headers[1].second, "20150830T123600Z");
  EXPECT_EQ(r.headers[2].first, "X-Amz-Security-Token");
  EXPECT_NE(r.headers[3].second.find("SignedHeaders=host;x-amz-date;x-amz-security-token"),
            std::string::npos);
  EXPECT_NE(r.headers[3].second.find("Credential=AKID/20150830/us-east-1/sqs/aws4_request"),
            std::string::npos);
}

TEST(SigV4, DateAndScopeAreUtcInAnyTimeZone) {
  // An operator in Seoul signs at 21:36 local time; AWS's clock says 12:36Z.
  testing::ScopedTimeZone seoul("Asia/Seoul");
  EXPECT_EQ(amz_date(from_unix_ms(1'440'938'160'000)), "20150830T123600Z");
  HttpRequestToSign r{"POST", "/", "", {{"Host", "sqs.us-east-1.amazonaws.com"}}, "{}"};
  add_signature(r, {"AKID", "secret", ""}, "us-east-1", "sqs",
                from_unix_ms(1'440'972'000'000));  // 22:00Z: already the 31st in Seoul
  EXPECT_EQ(r.headers[1].second, "20150830T220000Z");
  EXPECT_NE(r.headers[2].second.find("Credential=AKID/20150830/us-east-1/sqs/aws4_request"),
            std::string::npos)
      << r.headers[2].second;
}

TEST(SigV4, Encoding) {
  EXPECT_EQ(uri_encode("a b/c~", true), "a%20b/c~");
  EXPECT_EQ(uri_encode("a b/c~", false), "a%20b%2Fc~");
  EXPECT_EQ(canonical_path("/a/./b/../c//d/"), "/a/c/d/");
  EXPECT_EQ(canonical_path(""), "/");
  EXPECT_EQ(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(canonical_query("k=%zz"), "k=%25zz");
}

}  // namespace
}  // namespace donut::sigv4
