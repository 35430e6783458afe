// The files of src/web, embedded at build time (cmake/embed_files.cmake; see web_pages.h).
#pragma once

#include <string_view>

namespace donut::api {

std::string_view storefront_html();  // src/web/storefront.html
std::string_view ops_html();         // src/web/ops.html
std::string_view shop_css();         // src/web/shop.css
std::string_view storefront_js();    // src/web/storefront.js
std::string_view ops_js();           // src/web/ops.js

}  // namespace donut::api
