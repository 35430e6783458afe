// The shop's pages, embedded into the binary at build time from src/web (cmake/embed_files.cmake)
// and served with no file system and no network at run time:
//
//   GET /                the storefront: products, price, live stock, an order button each
//   GET /ops             the operations console (it asks for the admin token; the data comes
//                        from the /admin/* routes)
//   GET /assets/{file}   their stylesheet and scripts
//
// Every answer carries a Content-Security-Policy that allows only this origin (no inline
// script, no CDN), nosniff, and no framing (http/page_headers.h).
#pragma once

#include "http/router.h"

namespace donut::api {

void add_web_routes(http::Router& router);

}  // namespace donut::api
