// libFuzzer target: the same bytes through every JSON decoder of a message the system reads
// (events, arrivals, factory requests and callbacks, message attributes). A decoded value must
// encode and decode again to the same thing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "codec/attributes_json.h"
#include "codec/events_json.h"
#include "codec/factory_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto event = donut::codec::decode_event(text)) {
    const auto once = donut::codec::encode_event(*event);
    auto again = donut::codec::decode_event(once);
    if (!again || donut::codec::encode_event(*again) != once) std::abort();
  }
  if (auto arrival = donut::codec::decode_arrival(text)) {
    const auto once = donut::codec::encode_arrival(*arrival);
    if (!donut::codec::decode_arrival(once)) std::abort();
  }
  if (auto request = donut::codec::decode_manufacture_request(text)) {
    if (!donut::codec::decode_manufacture_request(
            donut::codec::encode_manufacture_request(*request))) {
      std::abort();
    }
  }
  (void)donut::codec::decode_factory_callback(text);
  if (auto attributes = donut::codec::decode_attributes(text)) {
    auto again = donut::codec::decode_attributes(donut::codec::encode_attributes(*attributes));
    if (!again || *again != *attributes) std::abort();
  }
  return 0;
}
