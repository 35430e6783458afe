// `GET /openapi.json` (and `GET /docs`, the rendered reference) for a router: the OpenAPI
// document cut down to the operations this router really serves, so a role that serves only
// some routes (`donut arrivals`, a Lambda function) never describes routes it would answer 404.
//
// Call it after every other route is added: the description is computed once, from the routes
// present then (its own included), and served from memory. The document must be valid JSON with
// a `paths` object; anything else is an error at start-up, not at request time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "http/router.h"

namespace donut::api {

// The document with only the operations in `routes` (method + path pattern, as the router
// spells them); paths left with no operation are dropped.
Result<std::string> openapi_for_routes(std::string_view document,
                                       const std::vector<http::Router::RouteInfo>& routes);

// Adds GET /openapi.json and, when `reference_page` is not empty, GET /docs, with the page
// headers (http/page_headers.h) and a policy that lets only the page's own inline scripts run.
Status add_api_description_routes(http::Router& router, std::string_view document,
                                  std::string_view reference_page);

}  // namespace donut::api
