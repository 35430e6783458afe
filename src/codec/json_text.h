// JSON text written straight into a string, for the bodies answered on every order (201 and
// 409): a fixed shape of a few ids and integers, where building a Boost.JSON object first
// costs several times the answer itself. Strings are escaped as RFC 8259 requires (quote,
// backslash and control characters); everything else passes through as UTF-8. Other bodies are
// built with Boost.JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace donut::codec {

// Appends `value` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view value);
// Appends `value` as a JSON number.
void append_json_int(std::string& out, int64_t value);

}  // namespace donut::codec
