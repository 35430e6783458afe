// Message attributes (string -> string) as a JSON object, for brokers that store them as text.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "ports/broker.h"

namespace donut::codec {

std::string encode_attributes(const ports::Attributes& attributes);
Result<ports::Attributes> decode_attributes(std::string_view json);

}  // namespace donut::codec
