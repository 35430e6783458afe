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
// protocol to an internal host. A URL with user information (`user:password@`) or a host name
// with a percent escape is refused (`invalid_argument`, the credentials not repeated): no
// credential travels in a URL that error messages and logs repeat. A method or header name that
// is not an RFC 9110 token, or a header value with CR, LF or NUL, is refused the same way
// before anything is sent, so no caller's value can add a header or a request of its own.
//
// Interim answers (1xx but 101 Switching Protocols) are read past: the caller gets the final
// answer, and a kept connection starts its next request with nothing left unread. An answer
// whose body exceeds `max_body` ends as `unavailable` naming the limit, its connection dropped.
//
// HTTP_PROXY, HTTPS_PROXY and NO_PROXY are not honoured: every request goes directly to its
// origin (a self-hosted shop behind a proxy must allow direct egress to the factory and AWS).
//
// TLS peers are verified, the chain against one CA bundle for the process (`ca_bundle`, read
// once, each certificate decoded only when a chain needs it: lazy_ca_bundle.h) and the
// certificate's names against the URL's host (SNI is sent for a DNS name). On
// Lambda's provided.al2023 the bundle lives where Debian's does not, so without the search every
// HTTPS call would fail there.
#pragma once

#include <cstddef>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "common/time.h"

namespace donut::http_client {

// The largest answer body read by default: a Lambda synchronous payload is at most 6 MB and ten
// SQS messages about 10 MB, so 32 MiB fits every answer the shop expects with room to spare, and
// a peer sending an endless body or a chunk of 2^63 bytes costs at most that much memory rather
// than growing until the timeout (12 h for the Runtime API's long poll).
inline constexpr std::size_t kDefaultMaxBody = std::size_t{32} << 20;

// How long a kept connection may have been idle and still be reused. NAT gateways and
// firewalls drop idle TCP flows silently (an AWS NAT gateway after 350 s), and a Lambda environment
// frozen between invocations wakes with connections that look open but whose reads hang until the
// whole timeout; curl, before this client, dropped them after 118 s. A new connection costs a
// handshake, a dead one the call.
inline constexpr Millis kDefaultMaxIdle = std::chrono::seconds(60);

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Millis timeout = std::chrono::seconds(10);
  std::stop_token stop;
  std::size_t max_body = kDefaultMaxBody;  // larger answers end as `unavailable`
  Millis max_idle = kDefaultMaxIdle;       // a kept connection idle longer is not reused
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
