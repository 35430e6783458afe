// AWS Signature Version 4 (AWS4-HMAC-SHA256), as specified in the AWS General Reference,
// "Signature Version 4 signing process", and checked against AWS's published test suite
// (tests/aws/sigv4_test.cc runs every case of testdata/aws-sigv4-testsuite).
//
// The three steps are exposed separately because the test suite checks each: the canonical
// request, the string to sign, and the Authorization header. Paths are normalised (dot
// segments removed, repeated slashes collapsed) as for every service except S3, which this
// project does not call. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/time.h"

namespace donut::sigv4 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials (Lambda, STS); empty otherwise
};

struct HttpRequestToSign {
  std::string method;
  std::string path;   // as sent, before normalisation and encoding
  std::string query;  // raw query string without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // must include host, x-amz-date
  std::string body;
};

struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;
  std::string signed_headers;
};

// RFC 3986 percent-encoding of everything but unreserved characters (and '/' if asked).
std::string uri_encode(std::string_view text, bool keep_slash);
std::string canonical_path(std::string_view path);
std::string canonical_query(std::string_view query);

// Signs `request` as it is: the amz date is taken from its X-Amz-Date header. With temporary
// credentials the session token is signed as the X-Amz-Security-Token header.
SignatureParts sign(const HttpRequestToSign& request, const Credentials& credentials,
                    std::string_view region, std::string_view service);

// "20150830T123600Z", in UTC whatever the process's time zone (AWS refuses a signature whose
// date is more than 5 minutes off its own clock).
std::string amz_date(TimePoint t);

// Adds X-Amz-Date (from `now`), X-Amz-Security-Token (temporary credentials) and
// Authorization to `request`. `request` must already carry its Host header.
void add_signature(HttpRequestToSign& request, const Credentials& credentials,
                   std::string_view region, std::string_view service, TimePoint now);

}  // namespace donut::sigv4
