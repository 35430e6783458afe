#include "adapters/http/curl_handle.h"

namespace donut::http_client {

CurlHandle new_curl_handle() {
  static const bool initialised = (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  (void)initialised;
  return CurlHandle(curl_easy_init());
}

}  // namespace donut::http_client
