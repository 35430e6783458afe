#include "hosts/local/data_dir.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <boost/json.hpp>

#include "codec/json_fields.h"
#include "common/ids.h"
#include "common/private_files.h"
#include "domain/validation.h"

namespace donut::local {
namespace fs = std::filesystem;

std::vector<domain::ProductSpec> default_catalogue() {
  return {
      {"CP-502101", "Chocolate Glazed", 250, 100, 50},
      {"CP-502102", "Strawberry Sprinkles", 250, 100, 50},
      {"CP-502103", "Boston Cream", 300, 50, 30},
      {"CP-502104", "Maple Bar", 275, 20, 20},
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
    DONUT_ASSIGN_OR_RETURN(const boost::json::object* o, codec::as_object(item, "product"));
    domain::ProductSpec spec;
    DONUT_ASSIGN_OR_RETURN(spec.id, codec::required_string(*o, "id"));
    DONUT_ASSIGN_OR_RETURN(spec.name, codec::optional_string(*o, "name"));
    DONUT_ASSIGN_OR_RETURN(spec.price_cents, codec::optional_int(*o, "price_cents", 0));
    DONUT_ASSIGN_OR_RETURN(spec.initial_stock, codec::optional_int(*o, "stock", 0));
    DONUT_ASSIGN_OR_RETURN(spec.restock_quantity, codec::optional_int(*o, "restock_quantity", 0));
    // The rules of the admin API: a seed file is input too.
    auto valid = domain::validate_product_id(spec.id);
    if (valid) valid = domain::validate_stock_level(spec.initial_stock);
    if (!valid) {
      return make_error(
          ErrorCode::invalid_argument,
          path + ": product " + std::to_string(specs.size() + 1) + ": " + valid.error().message);
    }
    specs.push_back(std::move(spec));
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
