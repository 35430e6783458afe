// The API documents, embedded into the binary at build time from `docs/openapi/` (see
// cmake/embed_files.cmake): what `/openapi.json` and `/docs` serve, byte for byte the files in
// the repository (the reference page rendered from the document by Redocly at build time).
#pragma once

#include <string_view>

namespace donut::api {

std::string_view shop_openapi_document();     // docs/openapi/donut-states.json
std::string_view factory_openapi_document();  // docs/openapi/legacy-factory.json
std::string_view shop_reference_page();       // rendered from donut-states.json, offline HTML

}  // namespace donut::api
