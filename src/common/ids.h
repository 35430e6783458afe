// Identifiers for orders, events, restocks and messages.
//
// `new_id()` returns a ULID (https://github.com/ulid/spec): 48 bits of millisecond time and 80
// random bits, as 26 Crockford base-32 characters. They sort by creation time, so B-tree
// inserts in the warehouse tables append at the end instead of splitting random pages, and
// they are unique across processes without coordination. Thread-safe and lock-free: each
// thread has its own random generator seeded from the OS.
#pragma once

#include <cstdint>
#include <string>

namespace donut {

std::string new_id();

// The same, for a given time in milliseconds since the Unix epoch (tests, replay).
std::string new_id_at(int64_t unix_ms);

// A random token of `bytes` bytes, hex-encoded (receipt handles, admin tokens).
std::string random_hex(std::size_t bytes);

}  // namespace donut
