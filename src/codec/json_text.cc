#include "codec/json_text.h"

#include <algorithm>
#include <charconv>

namespace donut::codec {
namespace {

bool needs_escape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void append_escaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('\\');
  switch (c) {
    case '"':
    case '\\':
      out.push_back(c);
      return;
    case '\n':
      out.push_back('n');
      return;
    case '\r':
      out.push_back('r');
      return;
    case '\t':
      out.push_back('t');
      return;
    default: {
      const auto byte = static_cast<unsigned char>(c);
      out.append("u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  out.push_back('"');
  // Ids and product names almost never need escaping: copy runs of plain characters whole.
  while (!value.empty()) {
    const auto special = std::find_if(value.begin(), value.end(), needs_escape);
    const auto plain = static_cast<std::size_t>(special - value.begin());
    out.append(value.substr(0, plain));
    if (plain == value.size()) break;
    append_escaped(out, value[plain]);
    value.remove_prefix(plain + 1);
  }
  out.push_back('"');
}

void append_json_int(std::string& out, int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

}  // namespace donut::codec
