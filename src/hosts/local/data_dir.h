// What the local host keeps in and reads from its data folder besides the warehouse: the
// catalogue it seeds (built in, or a seed file) and its secret files (the callback secret and
// the admin token, made once and then read by every process sharing the folder).
// Errors: an unreadable or malformed seed file (product ids and stock checked by the admin API's
// rules, domain/validation.h), a secret file that cannot be written.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "domain/product.h"

namespace donut::local {

// The built-in catalogue `donut up` starts with.
std::vector<domain::ProductSpec> default_catalogue();
// A seed file: JSON {"products": [{"id", "name", "price_cents", "stock", "restock_quantity",
// "policy", "service_level", "max_restock_quantity"}]}, each entry checked as
// PUT /admin/products/{id} checks its body (an unknown field, a wrong type or a value out of
// range names the file and the entry).
Result<std::vector<domain::ProductSpec>> load_catalogue(const std::string& path);

// Reads `<data_dir>/<name>`, creating it the first time with a random value from the
// cryptographic source: written to a private temporary file (mode 0600 from its creation,
// common/private_files.h) and linked into place, so several processes starting together agree
// on one value and no other user ever sees it. The data folder is created 0700.
Result<std::string> read_or_create_secret(const std::string& data_dir, const std::string& name);

}  // namespace donut::local
