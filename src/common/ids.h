// Identifiers for orders, events, restocks and messages.
//
// `new_id()` returns a ULID (https://github.com/ulid/spec): 48 bits of millisecond time and 80
// random bits, as 26 Crockford base-32 characters. They sort by creation time, so B-tree
// inserts in the warehouse tables append at the end instead of splitting random pages, and
// they are unique across processes without coordination. The random bits come from the
// cryptographic source (common/random.h), so an id seen does not reveal the next one.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace donut {

std::string new_id();

// The same, for a given time in milliseconds since the Unix epoch (tests, replay).
std::string new_id_at(int64_t unix_ms);

// Where a rule takes the ids it mints (restocks, events). Production uses ULIDs; a test or a
// replay can hand out a known sequence instead.
class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string next_id() = 0;
};

class UlidSource final : public IdSource {
 public:
  std::string next_id() override { return new_id(); }
};

// A random token of `bytes` bytes from the cryptographic source, hex-encoded (receipt handles,
// request ids, admin tokens, secrets).
std::string random_hex(std::size_t bytes);

}  // namespace donut
