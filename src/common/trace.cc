#include "common/trace.h"

#include <algorithm>

#include "common/crypto.h"
#include "common/ids.h"

namespace donut::trace {
namespace {

bool lower_hex(std::string_view text, std::size_t size) {
  return text.size() == size && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}
bool all_zero(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

}  // namespace

std::string trace_id_for(std::string_view restock_id) {
  const auto digest = crypto::sha256(restock_id);
  std::string id = crypto::to_hex(digest.data(), 16);
  if (all_zero(id)) id.back() = '1';  // all-zero is invalid; astronomically unlikely anyway
  return id;
}

std::string traceparent(std::string_view trace_id) {
  std::string span = random_hex(8);
  if (all_zero(span)) span.back() = '1';
  return "00-" + std::string(trace_id) + "-" + span + "-01";
}

std::optional<std::string> trace_id_of(std::string_view value) {
  if (value.size() != 55 || value.substr(0, 3) != "00-" || value[35] != '-' || value[52] != '-') {
    return std::nullopt;
  }
  const auto trace = value.substr(3, 32);
  const auto parent = value.substr(36, 16);
  if (!lower_hex(trace, 32) || !lower_hex(parent, 16) || !lower_hex(value.substr(53, 2), 2) ||
      all_zero(trace) || all_zero(parent)) {
    return std::nullopt;
  }
  return std::string(trace);
}

}  // namespace donut::trace
