#include "hosts/local/data_dir.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json.hpp>

#include "codec/admin_json.h"
#include "codec/json_fields.h"
#include "common/ids.h"
#include "common/private_files.h"
#include "domain/validation.h"

namespace donut::local {
namespace fs = std::filesystem;

namespace {

// One entry of a seed file: the body of PUT /admin/products/{id} with its "id" (the stock
// defaults to 0 here), checked the same way.
Result<domain::ProductSpec> seed_entry(const boost::json::value& item) {
  DONUT_ASSIGN_OR_RETURN(const boost::json::object* o, codec::as_object(item, "product"));
  DONUT_ASSIGN_OR_RETURN(auto id, codec::required_string(*o, "id"));
  boost::json::object fields = *o;
  fields.erase("id");
  if (!fields.contains("stock")) fields["stock"] = 0;
  return codec::product_spec_from(std::move(id), fields);
}

}  // namespace

std::vector<domain::ProductSpec> default_catalogue() {
  using domain::ReplenishmentPolicy;
  // Maple Bar restocks at zero, as the README's story tells it; the others at their reorder
  // point, with the factory's capacity at ten restock quantities.
  const domain::ReplenishmentSettings reorder_point{ReplenishmentPolicy::reorder_point, 0,
                                                    domain::kDefaultServiceLevelBp};
  return {
      {"CP-502101", "Chocolate Glazed", 250, 100, 50, reorder_point},
      {"CP-502102", "Strawberry Sprinkles", 250, 100, 50, reorder_point},
      {"CP-502103", "Boston Cream", 300, 50, 30, reorder_point},
      {"CP-502104", "Maple Bar", 275, 20, 20, {}},
  };
}

Result<std::vector<domain::ProductSpec>> load_catalogue(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::not_found, "cannot read seed file " + path);
  std::stringstream text;
  text << in.rdbuf();
  DONUT_ASSIGN_OR_RETURN(auto value, codec::parse_json(text.str()));
  DONUT_ASSIGN_OR_RETURN(const boost::json::object* root, codec::as_object(value, "seed file"));
  const auto* list = root->if_contains("products");
  if (list == nullptr || !list->is_array()) {
    return make_error(ErrorCode::invalid_argument, path + ": expected {\"products\": [...]}");
  }
  std::vector<domain::ProductSpec> specs;
  for (const auto& item : list->get_array()) {
    const std::string where = path + ": product " + std::to_string(specs.size() + 1);
    auto spec = seed_entry(item);
    if (!spec) return make_error(spec.error().code, where + ": " + spec.error().message);
    specs.push_back(std::move(*spec));
  }
  return specs;
}

Result<std::string> read_or_create_secret(const std::string& data_dir, const std::string& name) {
  const fs::path path = fs::path(data_dir) / name;
  DONUT_RETURN_IF_ERROR(create_private_directory(data_dir));
  std::error_code ec;
  if (fs::exists(path, ec)) return read_secret_file(path.string());
  const std::string value = random_hex(32);
  const fs::path temp = path.string() + ".tmp" + random_hex(4);
  DONUT_RETURN_IF_ERROR(create_private_file(temp.string(), value + "\n"));
  // link() fails if another process created the file first; then theirs wins.
  const bool linked = ::link(temp.c_str(), path.c_str()) == 0;
  fs::remove(temp, ec);
  if (!linked) return read_secret_file(path.string());
  return value;
}

}  // namespace donut::local
