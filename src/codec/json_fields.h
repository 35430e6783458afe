// Strict field access on Boost.JSON objects for decoders.
//
// Every accessor returns an `invalid_argument` Error naming the field when it is missing or of
// the wrong type; integers must be whole numbers inside int64 (1.0, 1e3 and "1" are refused).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "common/error.h"

namespace donut::codec {

Result<const boost::json::object*> as_object(const boost::json::value& value,
                                             std::string_view what);
Result<std::string> required_string(const boost::json::object& object, std::string_view key);
Result<std::string> optional_string(const boost::json::object& object, std::string_view key);
Result<int64_t> required_int(const boost::json::object& object, std::string_view key);
Result<int64_t> optional_int(const boost::json::object& object, std::string_view key,
                             int64_t fallback);
// Any JSON number (integer or not) as a double; `fallback` when absent or null.
Result<double> optional_number(const boost::json::object& object, std::string_view key,
                               double fallback);
// Refuses keys outside `allowed` (client input is strict; internal messages are not).
Status only_fields(const boost::json::object& object,
                   std::initializer_list<std::string_view> allowed);

// Parses JSON text with a depth limit; errors become `invalid_argument` "malformed JSON: ...".
Result<boost::json::value> parse_json(std::string_view text, boost::json::storage_ptr storage = {});

}  // namespace donut::codec
