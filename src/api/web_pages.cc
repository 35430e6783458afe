#include "api/web_pages.h"

#include <string_view>

#include "api/web_assets.h"
#include "http/page_headers.h"

namespace donut::api {
namespace {

http::Response page(std::string_view body, std::string_view content_type, std::string_view cache) {
  http::Response r;
  r.status = 200;
  r.content_type = std::string(content_type);
  r.body = std::string(body);
  http::add_page_headers(r, http::kSameOriginPolicy);
  r.headers.emplace_back("Cache-Control", std::string(cache));
  return r;
}

}  // namespace

void add_web_routes(http::Router& router) {
  router.add("GET", "/", "storefront", [](http::Request&&, http::Respond respond) {
    respond(page(storefront_html(), "text/html; charset=utf-8", "no-cache"));
  });
  router.add("GET", "/ops", "ops_console", [](http::Request&&, http::Respond respond) {
    respond(page(ops_html(), "text/html; charset=utf-8", "no-cache"));
  });
  router.add("GET", "/assets/{file}", "assets", [](http::Request&& request, http::Respond respond) {
    struct Asset {
      std::string_view name, content_type;
      std::string_view (*body)();
    };
    static constexpr Asset kAssets[] = {
        {"shop.css", "text/css; charset=utf-8", shop_css},
        {"storefront.js", "text/javascript; charset=utf-8", storefront_js},
        {"ops.js", "text/javascript; charset=utf-8", ops_js},
    };
    for (const auto& asset : kAssets) {
      if (request.path_param("file") == asset.name) {
        // Revalidated every time: the files change with the binary, which has no version in
        // their names.
        return respond(page(asset.body(), asset.content_type, "no-cache"));
      }
    }
    respond(http::error_response(404, "not_found", "no such asset"));
  });
}

}  // namespace donut::api
