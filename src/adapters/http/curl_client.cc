#include "adapters/http/curl_client.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <unistd.h>

#include <curl/curl.h>

#include "adapters/http/curl_handle.h"

namespace donut::http_client {
namespace {

CURL* thread_handle() {
  thread_local CurlHandle handle = new_curl_handle();
  return handle.get();
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    headers->emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

// libcurl calls this about once a second while a transfer idles; non-zero aborts it.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(user)->stop_requested() ? 1 : 0;
}

}  // namespace

CurlHandle new_curl_handle() {
  static const bool initialised = (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  (void)initialised;
  return CurlHandle(curl_easy_init());
}

const std::string* Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string find_ca_bundle(const char* configured, bool (*exists)(const char* path)) {
  if (configured != nullptr && *configured != '\0') return configured;
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}) {
    if (exists(path)) return path;
  }
  return {};
}

const std::string& ca_bundle() {
  static const std::string path = find_ca_bundle(
      std::getenv("DONUT_CA_BUNDLE"), [](const char* p) { return ::access(p, R_OK) == 0; });
  return path;
}

Result<Response> perform(const Request& request) {
  CURL* curl = thread_handle();
  if (curl == nullptr) return make_error(ErrorCode::internal, "curl_easy_init failed");
  curl_easy_reset(curl);
  Response response;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  // HTTP(S) only: a URL that names file://, gopher:// or any other protocol libcurl speaks is
  // refused before anything is read or sent, and redirects (never followed) could not leave it.
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(request.timeout.count(), 5000)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (const auto& cas = ca_bundle(); !cas.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, cas.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (request.stop.stop_possible()) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &request.stop);
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    return make_error(ErrorCode::timeout, request.method + " " + request.url + ": no answer in " +
                                              std::to_string(request.timeout.count()) + " ms");
  }
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    return make_error(ErrorCode::unavailable, request.method + " " + request.url + ": stopped");
  }
  if (rc != CURLE_OK) {
    return make_error(ErrorCode::unavailable,
                      request.method + " " + request.url + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

Result<Response> post_json(const std::string& url, std::string body,
                           std::vector<std::pair<std::string, std::string>> headers,
                           Millis timeout) {
  Request request;
  request.method = "POST";
  request.url = url;
  request.body = std::move(body);
  request.headers = std::move(headers);
  request.headers.emplace_back("Content-Type", "application/json");
  request.timeout = timeout;
  return perform(request);
}

Result<Response> get(const std::string& url, Millis timeout) {
  Request request;
  request.url = url;
  request.timeout = timeout;
  return perform(request);
}

}  // namespace donut::http_client
