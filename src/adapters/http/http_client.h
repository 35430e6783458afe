// Outbound HTTP and HTTPS: one request, one answer, with a total timeout, on Boost.Beast and
// the OpenSSL the process already links (no libcurl: the Lambda zips carry nothing this does
// not use).
//
// Each thread keeps its connections, one per origin (scheme, host, port; the few it used last),
// and reuses them while the peer keeps them alive; a request whose kept connection turns out to
// be closed before any byte of an answer arrived is sent once more on a new one. Connections are
// never shared between threads. Transport failures are values: `unavailable` when the peer
// cannot be reached, `timeout` when it did not answer in time (connecting, name lookup and TLS
// handshake included, has at most 5 s of it). An HTTP error status is not an Error; callers
// decide what a 4xx or 5xx means. A request given a stop token is abandoned (`unavailable`)
// within about a tenth of a second of a stop request, so long polls do not hold up shutdown.
//
// Only http:// and https:// URLs are requested (any other scheme is refused with `unavailable`
// before a connection is made), and a redirect is returned as the answer, never followed: a URL
// that came from configuration or a peer cannot make the process read a file or talk another
// protocol to an internal host.
//
// TLS peers are verified, the chain against one CA bundle for the process (`ca_bundle`, read
// once) and the certificate's names against the URL's host (SNI is sent for a DNS name). On
// Lambda's provided.al2023 the bundle lives where Debian's does not, so without the search every
// HTTPS call would fail there.
#pragma once

#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/time.h"

namespace donut::http_client {

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Millis timeout = std::chrono::seconds(10);
  std::stop_token stop;
};

struct Response {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased

  const std::string* header(std::string_view name) const;
};

Result<Response> perform(const Request& request);

// The CA bundle HTTPS requests verify against: $DONUT_CA_BUNDLE when set, else the first of the
// usual places that exists (Debian/Ubuntu, Amazon Linux/RHEL/Fedora, SUSE, Alpine); empty when
// none does (OpenSSL's default paths apply). `exists` is the file test, for tests.
std::string find_ca_bundle(const char* configured, bool (*exists)(const char* path));
const std::string& ca_bundle();  // find_ca_bundle over the environment, once per process

// Convenience for tests and the CLI: JSON POST / GET.
Result<Response> post_json(const std::string& url, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers = {},
                           Millis timeout = std::chrono::seconds(10));
Result<Response> get(const std::string& url, Millis timeout = std::chrono::seconds(10));

}  // namespace donut::http_client
