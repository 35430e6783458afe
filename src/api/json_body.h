// The rule of every route that takes a JSON body (POST /v1/orders, POST /v1/stock-arrivals),
// written once: the request must say `Content-Type: application/json` (any case, parameters
// such as `; charset=utf-8` allowed), or it is answered 415 `unsupported_media` before its body
// is read.
#pragma once

#include "http/message.h"

namespace donut::api {

bool is_json(const http::Request& request);
// `handler` for JSON requests; the 415 answer for any other.
http::Handler json_body_only(http::Handler handler);

}  // namespace donut::api
