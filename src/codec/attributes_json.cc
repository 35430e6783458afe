#include "codec/attributes_json.h"

#include <boost/json.hpp>

#include "codec/json_fields.h"

namespace donut::codec {

std::string encode_attributes(const ports::Attributes& attributes) {
  boost::json::object o;
  for (const auto& [key, value] : attributes) o[key] = value;
  return boost::json::serialize(o);
}

Result<ports::Attributes> decode_attributes(std::string_view json) {
  DONUT_ASSIGN_OR_RETURN(auto value, parse_json(json));
  DONUT_ASSIGN_OR_RETURN(const boost::json::object* o, as_object(value, "attributes"));
  ports::Attributes attributes;
  for (const auto& entry : *o) {
    if (!entry.value().is_string()) {
      return make_error(ErrorCode::invalid_argument, "attribute values must be strings");
    }
    attributes.emplace(std::string(entry.key()), std::string(entry.value().get_string()));
  }
  return attributes;
}

}  // namespace donut::codec
