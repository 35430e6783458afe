#include "codec/json_fields.h"

#include <algorithm>
#include <string>

namespace donut::codec {
namespace {

Error field_error(std::string_view key, std::string_view rule) {
  return make_error(ErrorCode::invalid_argument,
                    "field '" + std::string(key) + "' " + std::string(rule));
}

}  // namespace

Result<const boost::json::object*> as_object(const boost::json::value& value,
                                             std::string_view what) {
  if (!value.is_object()) {
    return make_error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON object");
  }
  return &value.get_object();
}

Result<std::string> required_string(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return field_error(key, "is required");
  if (!value->is_string()) return field_error(key, "must be a string");
  return std::string(value->get_string());
}

Result<std::string> optional_string(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::string();
  if (!value->is_string()) return field_error(key, "must be a string");
  return std::string(value->get_string());
}

Result<int64_t> required_int(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return field_error(key, "is required");
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return field_error(key, "is out of range");
  if (value->is_double()) return field_error(key, "must be a whole number");
  return field_error(key, "must be an integer");
}

Result<int64_t> optional_int(const boost::json::object& object, std::string_view key,
                             int64_t fallback) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return fallback;
  return required_int(object, key);
}

Result<double> optional_number(const boost::json::object& object, std::string_view key,
                               double fallback) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return fallback;
  if (value->is_double()) return value->get_double();
  if (value->is_int64()) return static_cast<double>(value->get_int64());
  if (value->is_uint64()) return static_cast<double>(value->get_uint64());
  return field_error(key, "must be a number");
}

Status only_fields(const boost::json::object& object,
                   std::initializer_list<std::string_view> allowed) {
  for (const auto& entry : object) {
    if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end()) {
      return field_error(entry.key(), "is not allowed");
    }
  }
  return ok();
}

Result<boost::json::value> parse_json(std::string_view text, boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  options.max_depth = 16;
  // The parser's working stack starts on this one; only deep or long documents need the heap.
  unsigned char scratch[512];
  boost::json::parser parser(std::move(storage), options, scratch, sizeof scratch);
  boost::system::error_code ec;
  parser.write(text.data(), text.size(), ec);
  if (ec) return make_error(ErrorCode::invalid_argument, "malformed JSON: " + ec.message());
  return parser.release();
}

}  // namespace donut::codec
