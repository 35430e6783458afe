// The libcurl easy handle as an owning pointer, for the SMTP mailer (HTTP goes through
// http_client.h, which does not use libcurl). Creating the first handle runs libcurl's global
// setup, once and thread-safely. A handle is used by one thread at a time.
#pragma once

#include <memory>

#include <curl/curl.h>

namespace donut::http_client {

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

// A new easy handle; null only when libcurl cannot allocate one.
CurlHandle new_curl_handle();

}  // namespace donut::http_client
