// JSON wire format of domain events and arrivals, as carried in broker message bodies.
//
//   {"type":"stock.empty","event_id":"01J...","product_id":"CP-502101",
//    "restock_id":"01J...","restock_quantity":10,"occurred_at_ms":1764000000000}
//
// Decoders accept unknown fields (newer producers may add some) but refuse missing or
// mistyped ones with an `invalid_argument` Error, which consumers treat as a poison message.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "domain/arrival.h"
#include "domain/events.h"

namespace donut::codec {

std::string encode_event(const domain::Event& event);
Result<domain::Event> decode_event(std::string_view json);

std::string encode_arrival(const domain::Arrival& arrival);
Result<domain::Arrival> decode_arrival(std::string_view json);

}  // namespace donut::codec
