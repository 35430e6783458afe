// Turns a parsed Beast request into the transport-neutral http::Request: method, the
// percent-decoded path, the raw query, lower-case header names, the body (moved, not copied).
// Shared by the server and the HTTP fuzz target. `invalid_argument` for a malformed target.
#pragma once

#include <string>

#include <boost/beast/http.hpp>

#include "common/error.h"
#include "http/message.h"

namespace donut::http {

Result<Request> to_request(boost::beast::http::request<boost::beast::http::string_body>&& raw,
                           std::string remote_address);

}  // namespace donut::http
